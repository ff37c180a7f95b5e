"""Command-line interface: argument parsing only; the work is done elsewhere."""
from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
from pathlib import Path

from flopdocs.base.text import aligned
from flopdocs import __version__, conventions
from flopdocs.config import catalogue, hf
from flopdocs.cli import audit as cli_audit, plan as cli_plan, release as cli_release
from flopdocs.cli.flags import (add_memory as _add_memory, add_parallel, parallel_of, rate as _rate,
                                whole as _whole)
from flopdocs.counting import verify
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import ConfigError
from flopdocs.config.inputs import apply_sets, resolve
from flopdocs.counting.modes import MODES, Options, roles_of
from flopdocs.api.report import FORMATS, human, human_params, render
from flopdocs.errors import BuildError
from flopdocs.structure.tree import slug
from flopdocs.base.writing import ClosedStdout, discard_stdout, emit, write_atomic
from flopdocs.cli.parser import Parser


def cmd_report(args) -> str:
    if (args.model is None) == (args.hf is None):
        raise ConfigError("report: give a model (name or YAML path) or --hf PATH/config.json, not both")
    cfg = hf.load(args.hf) if args.hf is not None else resolve(args.model)
    cfg = apply_sets(cfg, args.set + ([f"N={args.batch}"] if args.batch is not None else []))
    a = analyse(cfg, args.convention, args.mode, _options(args))
    keys = [k.strip() for g in args.group for k in g.split(",") if k.strip()]
    tree = a.grouped(keys) if keys else a.tree
    time = None
    if args.accelerator is not None:
        from flopdocs.counting import timing

        time = timing.of_analysis(a, timing.accelerator(args.accelerator), args.devices)
    asked = any(v is not None for v in (args.dtype, args.kv_dtype, args.optimizer, args.attention, args.batch))
    par = parallel_of(args)
    split = None
    if par is not None:
        from flopdocs.counting import parallel

        split = (par, parallel.of_analysis(a, par))
    return render(a, tree, args.format, time, memory=asked or split is not None, per_device=split)


def _options(args) -> Options:
    """The counting flags :func:`_add_counting` declares, as :class:`Options`."""
    cache = {"dtype_bytes": args.dtype_bytes} if hasattr(args, "dtype_bytes") else {}  # report's only
    if hasattr(args, "dtype"):
        cache.update(dtype=args.dtype or "bf16", kv_dtype=args.kv_dtype, optimizer=args.optimizer or "adamw",
                     attention=args.attention or "eager")
    return Options(scores=args.scores, macs=args.macs, recompute=args.recompute, prompt=args.prompt,
                   context=args.context, generate=args.generate, exclude=args.exclude, **cache)


def _add_counting(p: argparse.ArgumentParser, cache: bool = True) -> None:
    """How to count, for report and table alike: the convention, the mode and its flags
    (``--dtype-bytes`` where the KV cache is shown: ``cache``)."""
    p.add_argument("--convention", default=conventions.DEFAULT,
                   help=f"counting convention (known: {', '.join(conventions.CONVENTIONS)})")
    p.add_argument("--mode", default="forward", help=f"what pass to count ({', '.join(MODES)})")
    p.add_argument("--scores", default="dense", help="attention pairs: dense (default), exact, half")
    p.add_argument("--macs", action="store_true", help="count a multiply-add as 1 FLOP, not 2")
    _add_recompute(p)
    p.add_argument("--prompt", type=_whole(), help="prefill/generate: prompt tokens (default l)")
    p.add_argument("--context", type=_whole(0),
                   help="decode: tokens already in the KV cache (default l - 1)")
    p.add_argument("--generate", type=_whole(), help="generate: tokens generated (default 1)")
    if cache:
        p.add_argument("--dtype-bytes", type=_whole(), default=2,
                       help="bytes per KV cache number (default 2)")


def _add_recompute(p: argparse.ArgumentParser) -> None:
    """``--recompute`` and ``--exclude``, for report, table and mfu alike."""
    p.add_argument("--recompute", default="full", help="what training-recompute (and mfu's HFU) "
                   "recomputes: full (default), selective, layers")
    p.add_argument("--exclude", type=roles_of, default=None, help="roles left out, e.g. "
                   "embedding,lm-head (none: nothing; default: the convention's own)")


def cmd_list(args) -> str:
    rows = [("slug", "name", "params", "published", "forward FLOPs", "source")]
    for cfg in catalogue.models():
        a = analyse(cfg)
        published = human_params(cfg.params_published) if cfg.params_published else "-"
        rows.append((slug(cfg.name), cfg.name, human_params(a.params.total), published,
                     human(a.total), cfg.source))
    return "\n".join(aligned(rows, right=(2, 3, 4))) + "\n"


def cmd_mfu(args) -> str:
    from flopdocs.counting import mfu
    from flopdocs.counting.accelerators import ACCELERATORS

    if (args.accelerator is None) == (args.peak_flops is None):
        raise ConfigError("mfu: give --accelerator NAME or --peak-flops FLOP/s, one of them")
    if args.accelerator is not None:
        chip = ACCELERATORS.get(args.accelerator)
        if chip is None:
            raise ConfigError(f"unknown accelerator {args.accelerator!r} (known: {', '.join(ACCELERATORS)})",
                              origin="--accelerator")
        peak, what = chip.dense, f"{chip.title} ({chip.dense / 1e12:g} TFLOP/s {chip.dtype} dense)"
    else:
        peak, what = args.peak_flops, f"devices of {args.peak_flops:g} FLOP/s"
    cfg = apply_sets(resolve(args.model), args.set)
    rows = mfu.rows(cfg, args.tokens_per_second, peak, args.devices, args.convention, args.recompute, args.exclude)
    return mfu.table(f"{cfg.name}: {args.tokens_per_second:,g} tokens/s on {args.devices:,} × {what}", rows, args.recompute)


def cmd_import_hf(args) -> str:
    cfg = apply_sets(hf.load(args.config, name=args.name), args.set)
    text = hf.to_yaml(cfg.as_data())
    if args.output is None:
        return text
    write_atomic(Path(args.output), text)
    return ""


def cmd_table(args) -> str:
    from flopdocs.cli import table

    counting = table.Counting(args.convention, args.mode, _options(args))
    out = sys.stdout if sys.stdout is not None else ClosedStdout()  # started with >&-: a reader gone
    table.run(args.models, args.all, args.grid, args.set, counting, args.format, args.yes, out)
    return ""


def cmd_build(args) -> str:
    from flopdocs.site.build.staging import build

    out = build(args.out, catalogue_dir=args.catalogue)
    return f"flopdocs: built the site in {out}\n"


def cmd_serve(args) -> str:
    import logging

    from flopdocs.site.build.staging import serve

    if args.dev_addr is not None:
        host, sep, port = args.dev_addr.rpartition(":")
        try:  # MkDocs takes an IP address, not a host name
            ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
            ok = bool(sep) and port.isascii() and port.isdigit() and 1 <= int(port) <= 65535
        except ValueError:
            ok = False
        if not ok:
            raise ConfigError(f"--dev-addr {args.dev_addr}: expected IP:PORT with a port from "
                              "1 to 65535, e.g. 127.0.0.1:8000")
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    serve(catalogue_dir=args.catalogue, dev_addr=args.dev_addr)
    return ""


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="flopdocs", description="How much compute a transformer costs, and why.")
    p.add_argument("--version", action="version", version=f"flopdocs {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    cli_release.add(sub)

    r = sub.add_parser("report", help="print one model's FLOPs breakdown")
    r.add_argument("model", nargs="?", help="a catalogue name (see 'flopdocs list'), a YAML config path "
                   "or a Hugging Face config.json")
    r.add_argument("--hf", metavar="PATH", help="read a Hugging Face config.json instead of a model")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a dimension, e.g. --set l=4096 (repeatable)")
    _add_counting(r)
    _add_memory(r)
    add_parallel(r)
    r.add_argument("--batch", type=_whole(), help="sequences per batch (sets N)")
    r.add_argument("--accelerator", help="add the roofline time on this chip (a100, h100-sxm, ...)")
    r.add_argument("--devices", type=_whole(), default=1, help="devices the time is split over (default 1)")
    r.add_argument("--group", action="append", default=[], metavar="KEY[,KEY...]",
                   help="collapse these subtrees to their sums (repeatable)")
    r.add_argument("--format", choices=FORMATS, default="table")
    r.set_defaults(func=cmd_report)

    mf = sub.add_parser("mfu", help="model FLOPs utilisation under every convention")
    mf.add_argument("model", help="a catalogue name or a YAML config path")
    mf.add_argument("--tokens-per-second", required=True, type=_rate(),
                    help="training throughput of the whole job")
    mf.add_argument("--accelerator", help="a chip from the table (a100, h100-sxm, tpu-v4, ...)")
    mf.add_argument("--peak-flops", type=_rate(), help="one device's peak FLOP/s")
    mf.add_argument("--devices", type=_whole(), default=1, help="how many devices (default 1)")
    mf.add_argument("--convention", default=conventions.DEFAULT, help="the convention listed first")
    _add_recompute(mf)
    mf.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a dimension, e.g. --set l=4096 (repeatable)")
    mf.set_defaults(func=cmd_mfu)

    cli_plan.add_parsers(sub)
    verify.add_parser(sub)
    cli_audit.add(sub)

    ls = sub.add_parser("list", help="list the built-in catalogue")
    ls.set_defaults(func=cmd_list)

    im = sub.add_parser("import-hf", help="convert a Hugging Face config.json to a flopdocs YAML config")
    im.add_argument("config", help=f"path to a config.json (model_type {', '.join(hf.MODEL_TYPES)})")
    im.add_argument("-o", "--output", metavar="OUT.yaml", help="write here (atomically) instead of stdout")
    im.add_argument("--name", help="the model's display name (default: from _name_or_path or the directory)")
    im.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a dimension, e.g. --set l=4096 (repeatable)")
    im.set_defaults(func=cmd_import_hf)

    t = sub.add_parser("table", help="many configs at once, one row each, as CSV or JSON lines")
    t.add_argument("models", nargs="*", metavar="MODEL",
                   help="catalogue names or YAML files (a config, or a list of configs); "
                        "a --grid alone starts from seed-512")
    t.add_argument("--all", action="store_true", help="every catalogue model")
    t.add_argument("--grid", action="append", default=[], metavar="KEY=VALUES",
                   help="sweep a key: 512,1024 or 128..131072x2 (each x2) or 12..96+12 (repeatable; "
                        "the product, last fastest)")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key in every row (repeatable)")
    _add_counting(t, cache=False)
    _add_memory(t)
    t.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    t.add_argument("--yes", action="store_true", help="write more than 10**8 rows")
    t.set_defaults(func=cmd_table)

    b = sub.add_parser("build", help="build the reference site (MkDocs, strict) into --out")
    b.add_argument("--out", default="site", help="output directory (default: site/)")
    b.add_argument("--catalogue", metavar="DIR", help="a directory of model YAML configs "
                   "(default: the built-in catalogue)")
    b.set_defaults(func=cmd_build)

    sv = sub.add_parser("serve", help="preview the site with live reload")
    sv.add_argument("--catalogue", metavar="DIR", help="a directory of model YAML configs")
    sv.add_argument("--dev-addr", metavar="HOST:PORT", help="address to serve on (default 127.0.0.1:8000)")
    sv.set_defaults(func=cmd_serve)
    return p


def _one_line(message: str) -> str:
    """A message as one line: a newline or carriage return in a path shows escaped."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so it cleans up as after Ctrl-C."""


def _terminate(signum, frame):
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    try:  # SIGTERM (kill, a CI timeout) ends a build like Ctrl-C: its staging removed
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        return _main(argv)
    except Terminated:  # while writing the output
        print("flopdocs: terminated", file=sys.stderr)
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None) -> int:
    try:
        args = parser().parse_args(argv)
        out = args.func(args)
    except BrokenPipeError:  # the reader went away while a table streamed (| head): quietly
        discard_stdout(sys.stdout)
        return 141
    except (ConfigError, BuildError) as e:
        print(f"flopdocs: error: {_one_line(str(e))}", file=sys.stderr)
        return 2
    except OSError as e:  # e.g. a file name too long for the filesystem (ENAMETOOLONG)
        where = f"{e.filename}: " if e.filename else ""
        print(f"flopdocs: error: {_one_line(where + (e.strerror or str(e)))}", file=sys.stderr)
        return 2
    except Terminated:
        print("flopdocs: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:  # a build cleans its staging directory on the way out
        print("flopdocs: interrupted", file=sys.stderr)
        return 130
    return emit(out)


if __name__ == "__main__":
    sys.exit(main())
