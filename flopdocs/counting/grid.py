"""Grids: ``--grid KEY=VALUES`` axes, read strictly, and their cartesian product.

Values are whole numbers, as ``--set`` reads them (decimal digits, 1 to 2**53): a list
(``512,1024``), every integer of a range (``1..8``), a range with a step (``12..96+12``)
or a geometric one (``128..131072x2``: each times 2, up to the end), or several of these
joined by commas, kept in the order given.  A range is never materialised.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flopdocs.errors import ConfigError
from flopdocs.config.checks import parse_whole
from flopdocs.config.keys import BY_NAME, KEYS

#: Over this many rows a sweep needs ``--yes``.
MAX_ROWS = 10**8
#: The keys a grid may sweep: the whole-number ones.
GRID_KEYS = tuple(k.name for k in KEYS if k.type == "int")


@dataclass(frozen=True)
class Axis:
    key: str
    values: Sequence[int]  # a list, or a range (never materialised)
    text: str  # as given, for messages


def _whole(text: str, where: str, key: str) -> int:
    try:
        return parse_whole(text)
    except ValueError as e:
        raise ConfigError(str(e), origin=where, field=key) from None


def _item(text: str, where: str, key: str) -> Sequence[int]:
    """``512``, ``128..1024`` (every integer), ``12..96+12`` (a step) or ``128..131072x2``
    (each times 2, up to the end)."""
    if ".." not in text:
        return [_whole(text, where, key)]
    start, _, rest = text.partition("..")
    for sep in ("x", "+"):
        if sep in rest:
            stop, _, by = rest.partition(sep)
            break
    else:
        stop, sep, by = rest, "+", "1"
    a, b = _whole(start, where, key), _whole(stop, where, key)
    step = _whole(by, where, key)
    if a > b:
        raise ConfigError(f"{text}: an empty range (it starts above its end)", origin=where, field=key)
    if sep == "+":
        return range(a, b + 1, step)
    if step < 2:
        raise ConfigError(f"{text}: a geometric range needs a factor of at least 2", origin=where, field=key)
    out = [a]
    while out[-1] * step <= b:
        out.append(out[-1] * step)
    return out


def parse_grid(text: str) -> Axis:
    """``--grid KEY=ITEM[,ITEM...]``: the key's values, in the order given."""
    where = f"--grid {text}"
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not sep or not key:
        raise ConfigError("expected key=values, e.g. --grid d_model=512,1024,2048", origin=where)
    if key not in BY_NAME:
        raise ConfigError(f"unknown key (a grid sweeps one of: {', '.join(GRID_KEYS)})", origin=where, field=key)
    if key not in GRID_KEYS:
        raise ConfigError(f"not a whole-number key (a grid sweeps one of: {', '.join(GRID_KEYS)})",
                          origin=where, field=key)
    if not spec:
        raise ConfigError("no values (e.g. 512,1024 or 128..131072x2)", origin=where, field=key)
    items = [i.strip() for i in spec.split(",")]
    if "" in items:
        raise ConfigError("an empty value between commas", origin=where, field=key)
    parts = [_item(i, where, key) for i in items]
    return Axis(key=key, values=parts[0] if len(parts) == 1 else _Joined(parts), text=text)


class _Joined(Sequence):
    """Sequences one after another, none of them copied (a range stays a range)."""

    def __init__(self, parts: list[Sequence[int]]):
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __iter__(self) -> Iterator[int]:
        return itertools.chain.from_iterable(self.parts)

    def __getitem__(self, i: int) -> int:  # type: ignore[override]
        for p in self.parts:
            if i < len(p):
                return p[i]
            i -= len(p)
        raise IndexError(i)


def check_axes(axes: Sequence[Axis], sets: Mapping[str, Any]) -> None:
    seen: dict[str, Axis] = {}
    for a in axes:
        if a.key in seen:
            raise ConfigError(f"--grid {a.key}: given twice (--grid {seen[a.key].text}, --grid {a.text})")
        if a.key in sets:
            raise ConfigError(f"--grid {a.text}: {a.key} is also given by --set; give it once")
        seen[a.key] = a


def grid_size(axes: Sequence[Axis]) -> int:
    n = 1
    for a in axes:
        n *= len(a.values)
    return n


def product(axes: Sequence[Sequence[int]]) -> Iterator[tuple[int, ...]]:
    """The cartesian product, last fastest, without materialising a long range."""
    if all(len(a) <= 1_000_000 for a in axes):
        return itertools.product(*axes)
    return _odometer(axes)


def _odometer(axes: Sequence[Sequence[int]]) -> Iterator[tuple[int, ...]]:
    if not axes:
        yield ()
        return
    *outer, last = axes
    for head in _odometer(outer):
        for v in last:
            yield (*head, v)


def check_size(bases: int, axes: Sequence[Axis], yes: bool) -> int:
    """The number of rows; over :data:`MAX_ROWS` without ``--yes`` is refused (one line)."""
    n = max(bases, 1) * grid_size(axes)
    if n > MAX_ROWS and not yes:
        raise ConfigError(f"table: {n:,} rows is over 10**8; add --yes to write them all")
    return n
