"""A function of a sweep's row, tabulated over the axis values it reads (the machinery
:mod:`flopdocs.counting.sweep` answers a row's structure, validity and defaults with): it
runs the real code on real rows and logs what each run reads.  Past :data:`TABULATED`
runs the function is run per row instead, in a bounded memo (:class:`PerRow`): a long axis
that a default reads (``--grid d_model=8..80000000+8``: every row its own ``d_head``) then
costs nothing up front and no memory that grows with it.  Nothing here counts.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from flopdocs.counting.grid import Axis, grid_size, product

#: At most this many runs of the real code tabulate one function of the row up front.
TABULATED = 8192
#: The most configs (and per-row results) kept in memory at once.
KEPT = 4096


class Logged(Mapping):
    """A mapping that records which keys' values were read (presence is not a read: every
    row of a sweep has the same keys)."""

    def __init__(self, data: Mapping[str, Any], reads: set[str]):
        self._data, self._reads = data, reads

    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        self._reads.add(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class Determined:
    """A function of the row, tabulated: ``table[values of the axes at indices]``.

    The function is real code run on a real row; every axis value it reads is logged.
    Deterministic code that reads the same values takes the same path and returns the
    same result, so a row agreeing with a tabulated one on every axis it read has that
    result.  The axes read are widened until every tabulated row read only those, then
    every combination of their values is tabulated: each row of the grid is covered.
    """

    indices: tuple[int, ...]
    table: dict[tuple[int, ...], Any]

    @property
    def key(self) -> Callable[[tuple[int, ...]], tuple[int, ...]]:
        return picker(list(self.indices))


class PerRow:
    """A function of the row run per row (its table would be too long): the result of a
    row is kept, at most :data:`KEPT` at once, under the values of the axes read so far
    (widened, and the memo emptied, when a run reads another)."""

    def __init__(self, run: Callable[[tuple[int, ...]], tuple[Any, set[int]]], indices: set[int]):
        self.run, self.indices, self.memo = run, set(indices), {}
        self._pick = picker(sorted(self.indices))

    def get(self, combo: tuple[int, ...]) -> Any:
        key = self._pick(combo)
        if key in self.memo:
            return self.memo[key]
        result, read = self.run(combo)
        if not read <= self.indices:
            self.indices |= read
            self._pick, self.memo = picker(sorted(self.indices)), {}
            key = self._pick(combo)
        if len(self.memo) >= KEPT:
            self.memo.clear()
        self.memo[key] = result
        return result


def determine(axes: Sequence[Axis], run: Callable[[tuple[int, ...]], tuple[Any, set[int]]]
              ) -> Determined | PerRow:
    first = tuple(a.values[0] for a in axes)
    indices: set[int] = set()
    while True:
        order = sorted(indices)
        if grid_size([axes[i] for i in order]) > TABULATED:
            return PerRow(run, indices)
        table: dict[tuple[int, ...], Any] = {}
        widened = False
        for values in product([axes[i].values for i in order]):
            if values in table:
                continue
            combo = list(first)
            for i, v in zip(order, values):
                combo[i] = v
            result, read = run(tuple(combo))
            if not read <= indices:
                indices |= read
                widened = True
                break
            table[values] = result
        if not widened:
            return Determined(indices=tuple(order), table=table)


def picker(indices: list[int]) -> Callable[[tuple], tuple]:
    """``itemgetter`` that always returns a tuple (of none, one or more items)."""
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        return lambda row, i=indices[0]: (row[i],)
    return itemgetter(*indices)


def getter(d: Determined | PerRow) -> Callable[[tuple[int, ...]], Any]:
    """combo -> the function's value for that row."""
    if isinstance(d, PerRow):
        return d.get
    key, table = d.key, d.table
    return lambda combo: table[key(combo)]
