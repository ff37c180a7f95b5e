"""``flopdocs table``: many configs at once, one row each, streamed as CSV or JSON lines.

Rows come from sweeps (:mod:`flopdocs.counting.sweep`): each base (a catalogue model, a YAML
file's config or list of configs, or ``--set`` alone) times the grid's axes
(:mod:`flopdocs.counting.grid`), in the order given, the last fastest.  Each row is what
``flopdocs report`` gives for that config (:func:`flopdocs.counting.rows.reference_row`).

Columns: ``name``, the counting's labels (``convention``, ``mode`` and the flags that
apply), every dimension and architecture key (its default filled in; empty where it does
not apply), the mode's own numbers (``prompt``, ``context``, ``generate``), the parameters
(total, non-embedding, active), ``total`` and ``per_token`` FLOPs, and each role's share
of the total (``share_<role>``, :data:`flopdocs.structure.roles.ROLES`).  Rows are written from
%-templates with the constant columns written in; ints as digits, shares as Python's
shortest round-tripping repr, booleans ``true``/``false``, nothing ``""`` (CSV) or
``null`` (JSON).  A closed form's rows (the reference's) are rendered value by value.
This module counts nothing itself (:mod:`flopdocs.counting.rows`) and walks no grid
(:mod:`flopdocs.counting.sweep`).
"""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from flopdocs.config import catalogue
from flopdocs.config.config import Config, parse, parse_overrides
from flopdocs.counting.rows import Counting, columns
from flopdocs.errors import ConfigError
from flopdocs.counting.grid import Axis, check_axes, check_size, parse_grid
from flopdocs.base.readers import read_yaml
from flopdocs.counting.sweep import Sweep

__all__ = ["Axis", "Counting", "FORMATS", "Sweep", "check_size", "columns", "load_list",
           "parse_grid", "progress_for", "sweeps", "write"]

FORMATS = ("csv", "jsonl")
#: What a grid (or --set) without a model sweeps: the seed's model.
DEFAULT_BASE = "seed-512"
#: From this many rows a progress bar is drawn (stdout not a terminal, stderr one).
PROGRESS_ROWS = 100_000


def run(models: Sequence[str], all_models: bool, grids: Sequence[str], sets: Sequence[str], counting: Counting,
        fmt: str, yes: bool, out: TextIO) -> int:
    """``flopdocs table``: the rows of the models named (catalogue names or YAML files),
    of every catalogue model (``all_models``) or, with neither, of the seed's model, with
    ``--set`` and ``--grid`` applied; every row is checked before the first is written."""
    overrides = parse_overrides(sets)
    axes = [parse_grid(g) for g in grids]
    bases = list(catalogue.models()) if all_models else []
    for m in models:
        p = Path(m)
        bases += load_list(p) if p.suffix in (".yaml", ".yml") or p.exists() else [catalogue.find(m)]
    if not bases:
        if not (axes or overrides):
            raise ConfigError("table: give a model, --all, a YAML file of configs, or a --grid")
        bases = [catalogue.find(DEFAULT_BASE)]
    if all_models:
        bases = countable(bases, counting, overrides)
        if not bases:
            raise ConfigError(f"--all: the {counting.convention} convention in mode {counting.mode} "
                              "counts none of the catalogue's models (each is named above)")
    n = check_size(len(bases), axes, yes)
    return write(out, sweeps(bases, axes, overrides, counting), fmt, progress_for(n, stdout=out))


def countable(bases: Sequence[Config], counting: Counting, sets: Mapping[str, Any] | None = None,
              err: TextIO | None = None) -> list[Config]:
    """``--all``: the models the counting can count, ``--set`` applied; each one it refuses
    (a closed form's dense models, a decode of an encoder) named on stderr in one line.
    A ``--set`` a model's config rejects is an error, as without ``--all``."""
    kept = []
    for base in bases:
        try:
            config = parse(*with_sets(base, sets)) if sets else base
        except ConfigError:
            kept.append(base)  # sweeps() raises it, with the same words as for one model
            continue
        try:
            counting.check_row(config)
        except ConfigError as e:
            (err or sys.stderr).write(f"flopdocs table: skipped {base.name}: {e.reason}\n")
            continue
        kept.append(base)
    return kept


def load_list(path: str | Path) -> list[Config]:
    """A YAML file holding one config (a mapping) or a list of configs."""
    data = read_yaml(path)
    if isinstance(data, list):
        if not data:
            raise ConfigError(f"{path}: an empty list: no configs")
        return [parse(item, f"{path}: config {i + 1}") for i, item in enumerate(data)]
    return [parse(data, str(path))]


def sweeps(bases: Sequence[Config], axes: Sequence[Axis], sets: Mapping[str, Any],
           counting: Counting) -> list[Sweep]:
    """One :class:`Sweep` per base, ``--set`` applied; every row of every sweep is
    checked here, before anything is written."""
    check_axes(axes, sets)
    return [Sweep(*with_sets(base, sets), axes, counting) for base in bases]


def with_sets(base: Config, sets: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """A base's data with ``--set`` applied, and where the result comes from."""
    return {**base.as_data(), **sets}, (f"{base.origin} with --set" if sets else base.origin)


# -- output ---------------------------------------------------------------------------


#: A text cell starting with one of these is a formula to a spreadsheet: written with a
#: leading ``'``, which makes it text.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if value[:1] in _FORMULA:  # a spreadsheet would run it as a formula (OWASP's advice)
            value = "'" + value
        if any(c in value for c in ',"\r\n') or value != value.strip():
            return '"' + value.replace('"', '""') + '"'
        return value
    return repr(value)


def _template(sweep: Sweep, fmt: str) -> str:
    """The row as a %-format string: constants written in, %d / %r for the varying values
    (the shares are the floats)."""
    cols = columns(sweep.counting)
    layout = sweep.layout()
    parts = []
    for col, (kind, what) in zip(cols, layout):
        if kind == "const":
            text = _csv_text(what) if fmt == "csv" else json.dumps(what)
            text = text.replace("%", "%%")
        elif not sweep.counting.compiled:  # the reference's rows: values rendered one by one
            text = "%s"
        else:
            text = "%r" if col.startswith("share_") else "%d"
        parts.append(text if fmt == "csv" else f"{json.dumps(col)}: {text}")
    return (",".join(parts) if fmt == "csv" else "{" + ", ".join(parts) + "}") + "\n"


class Progress:
    """``rows/total`` on one line of stderr, redrawn at most five times a second."""

    def __init__(self, total: int, stream: TextIO):
        self.total, self.stream, self.last, self.shown = total, stream, 0.0, False

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last >= 0.2:
            self.last, self.shown = now, True
            self.stream.write(f"\rflopdocs table: {done:,} of {self.total:,} rows "
                              f"({100 * done // self.total}%)")
            self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def write(out: TextIO, all_sweeps: Sequence[Sweep], fmt: str, progress: Progress | None = None,
          chunk: int = 4096) -> int:
    """Stream every sweep's rows to ``out``; returns the number of rows written."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    for sweep in all_sweeps:  # a row that cannot be counted is an error before anything is written
        sweep.check_rows()
    done = 0
    try:
        if fmt == "csv" and all_sweeps:
            out.write(",".join(columns(all_sweeps[0].counting)) + "\n")
        for sweep in all_sweeps:
            values = sweep.values()
            if not sweep.counting.compiled:  # a share may be None (a closed form's mixed terms)
                text = _csv_text if fmt == "csv" else json.dumps
                values = (tuple(map(text, v)) for v in values)
            lines = map(_template(sweep, fmt).__mod__, values)
            while True:
                batch: list[str] = []
                try:
                    batch.extend(islice(lines, chunk))  # keeps the rows made before a row's error
                finally:  # a streamed grid's bad row: the rows before it are written, then its line
                    if batch:
                        out.write("".join(batch))
                        done += len(batch)
                if not batch:
                    break
                if progress is not None:
                    progress.update(done)
    except UnicodeEncodeError as e:  # a name stdout's encoding cannot hold
        raise ConfigError(f"stdout: character {ascii(e.object[e.start:e.start + 1])} cannot be written "
                          f"in {out.encoding} (set PYTHONIOENCODING=utf-8)") from None
    finally:  # a closed pipe or Ctrl-C leaves no half-drawn bar
        if progress is not None:
            progress.close()
    return done


def stream_is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress_for(n: int, stdout: TextIO | None = None, stderr: TextIO | None = None) -> Progress | None:
    """A progress bar when the sweep is large, stdout is not a terminal and stderr is."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if n >= PROGRESS_ROWS and not stream_is_terminal(stdout) and stream_is_terminal(stderr):
        return Progress(n, stderr)
    return None
