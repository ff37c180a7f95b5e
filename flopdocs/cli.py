"""Command-line interface: argument parsing only; the work is done elsewhere."""
from __future__ import annotations

import argparse
import ipaddress
import os
import stat
import sys
import tempfile
from pathlib import Path

from . import catalogue, config, conventions, hf
from .analysis import analyse
from .config import Config, ConfigError
from .report import FORMATS, human, human_params, render
from .site import BuildError
from .tree import slug


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise ConfigError(f"{self.prog}: {message}")


def resolve(model: str) -> Config:
    """A YAML path (anything that exists or ends in .yaml/.yml) or an exact catalogue name."""
    p = Path(model)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return config.load(p)
    return catalogue.find(model)


def _apply_sets(cfg: Config, sets: list[str]) -> Config:
    if not sets:
        return cfg
    overrides = dict(config.parse_override(s) for s in sets)
    return cfg.with_values(overrides, origin=f"{cfg.origin} with --set")


def cmd_report(args) -> str:
    if (args.model is None) == (args.hf is None):
        raise ConfigError("report: give a model (name or YAML path) or --hf PATH/config.json, not both")
    cfg = hf.load(args.hf) if args.hf is not None else resolve(args.model)
    cfg = _apply_sets(cfg, args.set)
    a = analyse(cfg, args.convention)
    keys = [k.strip() for g in args.group for k in g.split(",") if k.strip()]
    tree = a.grouped(keys) if keys else a.tree
    return render(a, tree, args.format)


def cmd_list(args) -> str:
    rows = [("slug", "name", "params", "published", "forward FLOPs", "source")]
    for cfg in catalogue.models():
        a = analyse(cfg)
        published = human_params(cfg.params_published) if cfg.params_published else "-"
        rows.append((slug(cfg.name), cfg.name, human_params(a.params.total), published,
                     human(a.total), cfg.source))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    align = [str.ljust, str.ljust, str.rjust, str.rjust, str.rjust]
    return "\n".join("  ".join([align[i](r[i], widths[i]) for i in range(5)] + [r[5]]).rstrip()
                     for r in rows) + "\n"


def cmd_import_hf(args) -> str:
    cfg = _apply_sets(hf.load(args.config, name=args.name), args.set)
    text = hf.to_yaml(cfg.as_data())
    if args.output is None:
        return text
    write_atomic(Path(args.output), text)
    return ""


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory, then rename."""
    if not path.name or path.is_dir():
        raise ConfigError(f"-o {str(path)!r}: is a directory, not a file to write")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # a link, FIFO or device: renaming over it would replace it, not write through it
        raise ConfigError(f"-o {path}: exists and is not a regular file; refusing to replace it")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ConfigError(f"-o {path}: no such directory: {directory}")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise ConfigError(f"-o {path}: cannot write there: {e.strerror}") from None
    try:
        # mkstemp creates 0600; give the file the mode it had, or what a new file gets
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise ConfigError(f"-o {path}: cannot write there: {e.strerror}") from None
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def cmd_table(args) -> str:
    from . import table

    table.run(args.models, args.all, args.grid, args.set, args.convention, args.format, args.yes, sys.stdout)
    return ""


def cmd_build(args) -> str:
    from .site.build import build  # imports MkDocs: only when building

    out = build(args.out, catalogue_dir=args.catalogue)
    return f"flopdocs: built the site in {out}\n"


def cmd_serve(args) -> str:
    import logging

    from .site.build import serve

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
    p = _Parser(prog="flopdocs", description="How much compute a transformer costs, and why.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("report", help="print one model's FLOPs breakdown")
    r.add_argument("model", nargs="?", help="a catalogue name (see 'flopdocs list') or a YAML config path")
    r.add_argument("--hf", metavar="PATH", help="read a Hugging Face config.json instead of a model")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a dimension, e.g. --set l=4096 (repeatable)")
    r.add_argument("--convention", default=conventions.DEFAULT,
                   help=f"counting convention (known: {', '.join(sorted(conventions.CONVENTIONS))})")
    r.add_argument("--group", action="append", default=[], metavar="KEY[,KEY...]",
                   help="collapse these subtrees to their sums (repeatable)")
    r.add_argument("--format", choices=FORMATS, default="table")
    r.set_defaults(func=cmd_report)

    ls = sub.add_parser("list", help="list the built-in catalogue")
    ls.set_defaults(func=cmd_list)

    im = sub.add_parser("import-hf", help="convert a Hugging Face config.json to a flopdocs YAML config")
    im.add_argument("config", help="path to a config.json (model_type gpt2, llama, mistral, mixtral, qwen2)")
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
    t.add_argument("--convention", default=conventions.DEFAULT,
                   help=f"counting convention (known: {', '.join(sorted(conventions.CONVENTIONS))})")
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


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        out = args.func(args)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        _silence_stdout()
        return 0
    except (ConfigError, BuildError) as e:
        print(f"flopdocs: error: {_one_line(str(e))}", file=sys.stderr)
        return 2
    except OSError as e:  # e.g. a file name too long for the filesystem (ENAMETOOLONG)
        where = f"{e.filename}: " if e.filename else ""
        print(f"flopdocs: error: {_one_line(where + (e.strerror or str(e)))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a build cleans its staging directory on the way out
        print("flopdocs: interrupted", file=sys.stderr)
        return 130
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush has nowhere to fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


if __name__ == "__main__":
    sys.exit(main())
