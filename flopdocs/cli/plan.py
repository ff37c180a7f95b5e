"""``flopdocs plan`` and ``flopdocs fit``: argument parsing and the printed tables; the
numbers are :mod:`flopdocs.counting.timing`'s."""
from __future__ import annotations

from flopdocs import conventions
from flopdocs.cli.flags import add_memory, fraction, rate, whole
from flopdocs.config.inputs import apply_sets, resolve
from flopdocs.counting.modes import Options


def add_parsers(sub) -> None:
    pl = sub.add_parser("plan", help="training compute, wall time, device-hours and cost under every convention")
    pl.add_argument("model", help="a catalogue name or a YAML config path")
    pl.add_argument("--tokens", required=True, type=rate(), help="training tokens, e.g. 2e12")
    pl.add_argument("--accelerator", required=True, help="a chip from the table (h100-sxm, ...)")
    pl.add_argument("--devices", type=whole(), default=1, help="how many devices (default 1)")
    pl.add_argument("--mfu", type=fraction(), default=0.4, help="model FLOPs utilisation (default 0.4)")
    pl.add_argument("--price", type=rate(), help="price of one device-hour")
    pl.add_argument("--dtype", default="bf16", help="compute dtype: its peak (default bf16)")
    pl.add_argument("--convention", default=conventions.DEFAULT, help="the convention listed first")
    pl.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a dimension, e.g. --set l=4096 (repeatable)")
    pl.set_defaults(func=cmd_plan)

    ft = sub.add_parser("fit", help="whether serving and training fit, and how large a batch")
    ft.add_argument("model", help="a catalogue name or a YAML config path")
    ft.add_argument("--accelerator", required=True, help="a chip from the table (h100-sxm, ...)")
    ft.add_argument("--devices", type=whole(), default=1, help="how many devices (default 1)")
    add_memory(ft)
    ft.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a dimension, e.g. --set l=4096 (repeatable)")
    ft.set_defaults(func=cmd_fit)



def cmd_plan(args) -> str:
    from flopdocs.counting import memory, timing

    memory.dtype_bytes(args.dtype)
    chip = timing.accelerator(args.accelerator)
    cfg = apply_sets(resolve(args.model), args.set)
    rows = timing.plan(cfg, args.tokens, chip, args.devices, args.mfu, args.price, args.dtype, args.convention)
    peak = timing.compute_peak(chip, args.dtype)
    lines = [f"{cfg.name}: {args.tokens:g} tokens on {args.devices:,} × {chip.title} "
             f"({peak / 1e12:g} TFLOP/s {args.dtype} dense) at {100 * args.mfu:g} % MFU",
             "wall time = training FLOPs per token × tokens / (devices × peak × MFU); "
             "device-hours = wall time × devices" + ("; cost = device-hours × price" if args.price else ""), ""]
    cells = [("convention", "FLOPs per token", "compute (FLOPs)", "wall time (h)", "device-hours")
             + (("cost",) if args.price else ())]
    for i, r in enumerate(rows):
        if r.per_token is None:
            continue
        cells.append((r.convention + (" *" if i == 0 else ""), f"{round(r.per_token):,}", f"{r.flops:.4g}",
                      f"{r.seconds / 3600:,.1f}", f"{r.device_hours:,.0f}")
                     + ((f"{r.cost:,.0f}",) if args.price else ()))
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    lines += ["  ".join([c[0].ljust(widths[0]), *(x.rjust(w) for x, w in zip(c[1:], widths[1:]))]) for c in cells]
    lines += [f"{r.convention}: refused: {r.refused}" for r in rows if r.per_token is None]
    return "\n".join(lines) + "\n"


def cmd_fit(args) -> str:
    from flopdocs.counting import memory, timing
    from flopdocs.api.report import human_bytes

    chip = timing.accelerator(args.accelerator)
    o = Options(dtype=args.dtype or "bf16", kv_dtype=args.kv_dtype, optimizer=args.optimizer or "adamw",
                attention=args.attention or "eager")
    settings = memory.settings(o, "training").checked()
    cfg = apply_sets(resolve(args.model), args.set)
    f = timing.fit(cfg, chip, args.devices, settings)
    reserve = f"{float(100 * timing.RESERVE):g} %"
    kv = o.kv_dtype or o.dtype
    l = cfg.values.get("l")
    lines = [f"{cfg.name} on {args.devices:,} × {chip.title} ({human_bytes(chip.memory_bytes)} each), "
             f"{reserve} of each device's memory held in reserve: {human_bytes(f.capacity)} usable",
             f"serving ({o.dtype} weights, {kv} KV cache): weights {human_bytes(f.weights)}; "
             + (f"fits; the KV cache can hold {f.kv_positions:,} positions (batch × context), "
                f"e.g. batch {f.kv_positions // l:,} at context {l:,}" if f.serving_fits and l
                else "fits" if f.serving_fits else "does NOT fit"),
             f"training ({o.dtype}, {o.optimizer}, ZeRO-3 over the {args.devices:,} devices, "
             f"{o.attention} attention, no recompute): states {human_bytes(f.per_device_states)} per device, "
             f"activations {human_bytes(f.activations_per_sequence)} per sequence of {l:,} tokens; "
             + (f"fits; largest micro-batch {f.micro_batch:,} per device" if f.training_fits
                else "does NOT fit (not even one sequence per device)")]
    return "\n".join(lines) + "\n"
