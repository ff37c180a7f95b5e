"""The Memory page, computed: each term of the footprint derived on one worked model, the
kept tensors leaf by leaf, Korthikanti et al. 2022 reconciled, the roofline, a plan and a
fit (``templates/memory.md.j2`` lays it out).  Also the model pages' memory and time
answers and their fits-on table.  Nothing here writes files.
"""
from __future__ import annotations

from flopdocs.api.report import human
from flopdocs.counting import memory, mfu, parallel, timing
from flopdocs.counting.accelerators import ACCELERATORS
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.site.gather import Model, SiteData
from flopdocs.site.addresses import TITLE
from flopdocs.site.pages.modes import example
from flopdocs.structure.build import structure
from flopdocs.structure.tree import walk

PAGE = "memory.md"
#: The chip the model pages' time answers use, and the accelerators of the fits-on table.
CHIP = "h100-sxm"
FITS_ON = ("a100", "h100-sxm", "h200", "b200", "mi300x", "tpu-v5p")
DEVICES = 8


def _bytes(n: int | None) -> str:
    return "" if n is None else human(n, "B")


def kept_rows(m: Model) -> list[dict]:
    """One block's leaves that keep something for backward, with the elements kept (one
    sequence), evaluated for the model."""
    cfg = m.config
    blocks = structure(cfg.arch)
    out = []
    for path, n in walk(blocks):
        if n.is_leaf and "Blocks" in path and (n.io.saved != 0 or n.io.saved_index != 0):
            kept = memory.evaluate(n.io.saved, cfg.dims) // cfg["n_layers"]
            if kept:
                out.append({"leaf": " / ".join(path[path.index("Blocks") + 1:]), "kept": kept,
                            "bytes": 2 * kept, "role": n.role})
    return out


def answers(m: Model) -> list[dict]:
    """The model page's memory and time rows (the same shape as site.answers rows)."""
    cfg = m.config
    out = []

    def row(label, value, anchor, unit="bytes", note=""):
        shown = "" if value is None or isinstance(value, str) else (
            human(value, "B") if unit == "bytes" else f"{value:.3g} s")
        exact = value if unit == "bytes" and not isinstance(value, str) else None  # a time is not exact
        out.append({"label": label, "value": exact, "unit": unit,
                    "human": shown, "note": value if isinstance(value, str) else note,
                    "link": f"../{PAGE}#{anchor}"})

    weights = memory.weight_bytes(cfg, "bf16")
    row("weights in bf16", weights, "weights", note="2 bytes a parameter")
    train = analyse(cfg, mode="training").memory
    row("training memory, one sequence", train.total, "training",
        note=f"bf16, AdamW with fp32 master weights (16 bytes a parameter), activations "
             f"{_bytes(train.activations)} (eager, no recompute)")
    if cfg.get("architecture") == "encoder":
        return out
    chip = ACCELERATORS[CHIP]
    prefill = analyse(cfg, mode="prefill")
    prompt = (f"{cfg.get('l_src'):,} source tokens and a prompt of {cfg.get('l_tgt'):,} target tokens"
              if cfg.is_encoder_decoder else f"a prompt of {cfg['l']:,} tokens")
    row(f"prefill time on one {chip.title}", timing.of_analysis(prefill, chip).seconds, "time", "seconds",
        note=f"roofline, {prompt}")
    step = analyse(cfg, mode="decode", options=Options(context=0))
    t = timing.of_analysis(step, chip)
    row(f"decode step on one {chip.title}", t.seconds, "time", "seconds",
        note="roofline, batch 1 at context 0" + (
            f"; compute-bound from batch {t.compute_bound_batch:,}" if t.compute_bound_batch else ""))
    return out


def fits(m: Model) -> list[dict]:
    """On each common accelerator: devices that hold the bf16 weights, and on eight of them
    the KV cache's positions and training's largest micro-batch (ZeRO-3)."""
    cfg = m.config
    rows = []
    s = memory.Settings()
    for name in FITS_ON:
        chip = ACCELERATORS[name]
        f = timing.fit(cfg, chip, DEVICES, s)
        usable = int(chip.memory_bytes * (1 - timing.RESERVE))
        need = -(-f.weights // usable)
        decoder = not cfg.is_encoder_decoder and cfg.get("architecture") != "encoder"
        rows.append({"chip": chip.title, "memory": _bytes(chip.memory_bytes), "serve": need,
                     "positions": f.kv_positions if decoder else None, "micro_batch": f.micro_batch})
    return rows


#: The plan's and the MFU example's run: devices, and the MFU of the default convention's count.
PLAN_DEVICES, PLAN_MFU = 512, 0.4


def context(data: SiteData) -> dict:
    m = example(data)
    if m is None:
        return {"ex": None}
    cfg = m.config
    p = m.analysis.params.total
    s, l, h, a = cfg["l"], cfg["d_model"], cfg["d_model"], cfg["n_heads"]
    train = analyse(cfg, mode="training").memory
    fused = analyse(cfg, mode="training", options=Options(attention="fused")).memory
    selective = analyse(cfg, mode="training-recompute", options=Options(recompute="selective")).memory
    full = analyse(cfg, mode="training-recompute", options=Options(recompute="full")).memory
    chip = ACCELERATORS[CHIP]
    plan = timing.plan(cfg, 2e12, chip, PLAN_DEVICES, PLAN_MFU, None)
    decode = analyse(cfg, mode="decode", options=Options(context=0))
    # the throughput at which the plan's default convention runs at 40 % MFU, read under each
    flopdocs_row = next(r for r in plan if r.per_token is not None)
    speed = round(PLAN_MFU * PLAN_DEVICES * chip.dense / float(flopdocs_row.per_token))
    utilisation = [{"convention": r.convention, "per_token": r.per_token,
                    "mfu": mfu.percent(r.exact[0]), "hfu": "–" if r.exact[1] is None else mfu.percent(r.exact[1])}
                   for r in mfu.rows(cfg, speed, chip.dense, PLAN_DEVICES) if r.per_token is not None]
    return {"ex": {
        "m": m, "params": p, "l": l, "s": s, "h": h, "a": a,
        "weights": {d: memory.weight_bytes(cfg, d) for d in memory.DTYPES},
        "train": train.as_dict(), "fused": fused.activations, "selective": selective.activations,
        "full": full.activations, "kept": kept_rows(m),
        "korthikanti": parallel.korthikanti_layer(s, 1, h, a),
        "korthikanti_selective": parallel.korthikanti_layer(s, 1, h, a, "selective"),
        "kv_token": memory.kv_cache_bytes(cfg, 1, "bf16", sequences=1),
        "kv_full": memory.kv_cache_bytes(cfg, s, "bf16", sequences=1),
        "zero": [{"stage": z, **parallel.per_device(memory.footprint(cfg, "training", memory.Settings()),
                                                  parallel.Parallel(data=DEVICES, zero=z)).as_dict()}
                 for z in (0, 1, 2, 3)],
        "chip": chip, "devices": DEVICES,
        "decode": timing.of_analysis(decode, chip),
        "plan": [r for r in plan if r.per_token is not None],
        "mfu": {"tokens_per_second": speed, "devices": PLAN_DEVICES, "convention": flopdocs_row.convention,
                "rows": utilisation},
        "fits": fits(m),
    }}


def page(env, data: SiteData, cite) -> tuple[str, str]:
    """The Memory page: its path and Markdown."""
    return PAGE, env.get_template("memory.md.j2").render(
        **context(data), cite=cite(PAGE, f"{TITLE}: memory, time and fit", "flopdocs-memory"))
