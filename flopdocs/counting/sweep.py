"""One base config swept over grid axes: each row's counts at integer speed, exactly.

Which structure a row has, whether it is valid, and the keys it does not give
(``d_head`` from ``d_model / n_heads``, ...) are answered by the real code
(:func:`flopdocs.config.config.parse`, its rules across keys, ``Config.arch``, ``Config.get``),
run once per distinct combination of the axis values that code reads
(:class:`~flopdocs.counting.determined.Determined`): every row is covered, and checked,
before the first is written.  Past :data:`~flopdocs.counting.determined.TABULATED` runs, or
beyond :data:`CHECKED_ROWS` rows, the code runs per row instead
(:class:`~flopdocs.counting.determined.PerRow`): the first row comes at once, memory does
not grow with the grid, and a row that cannot be counted ends the stream with its one line.
The counts come from the structure's compiled :func:`~flopdocs.counting.rows.summary`; a row
whose values it cannot vouch for is counted by the reference.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from flopdocs.config.config import Config, check_across, parse
from flopdocs.counting.memory import settings
from flopdocs.counting.memory_rows import COLUMNS as MEMORY_COLUMNS, row_columns, row_present
from flopdocs.counting.rows import (COUNT_COLUMNS, KEY_COLUMNS, Counting, columns, reference_row,
                                    summary)
from flopdocs.counting.determined import KEPT, Determined, Logged, PerRow, determine, getter, picker as _picker
from flopdocs.counting.grid import Axis, grid_size, product
from flopdocs.config.keys import BY_NAME
from flopdocs.structure.roles import ROLES

_ROLES = tuple(ROLES)  # indexable, in ROLES order
#: Grids up to this many rows are checked whole before the first row is written.
CHECKED_ROWS = 100_000


class Sweep:
    """One base's rows: its config data with each combination of the axes' values."""

    def __init__(self, data: Mapping[str, Any], origin: str, axes: Sequence[Axis], counting: Counting):
        self.data, self.origin, self.axes, self.counting = dict(data), origin, tuple(axes), counting
        self.axis_keys = tuple(a.key for a in axes)
        self._position = {k: i for i, k in enumerate(self.axis_keys)}
        self._parsed: dict[tuple[int, ...], Config] = {}
        self.first = self.config(tuple(a.values[0] for a in axes))
        self.structure = determine(axes, self._structure)
        self.mode_names = tuple(counting.mode_values(self.first))
        self.mode = determine(axes, self._mode_values)
        self.sources = {k: self._source(k) for k in KEY_COLUMNS}
        self._plan()

    def __len__(self) -> int:
        return grid_size(self.axes)

    def row_origin(self, combo: tuple[int, ...]) -> str:
        if not self.axes:
            return self.origin
        return f"{self.origin} with " + " ".join(f"--grid {k}={v}" for k, v in zip(self.axis_keys, combo))

    def config(self, combo: tuple[int, ...]) -> Config:
        """The row's config, by :func:`flopdocs.config.config.parse` (every check, real errors)."""
        found = self._parsed.get(combo)
        if found is None:
            found = parse({**self.data, **dict(zip(self.axis_keys, combo))}, self.row_origin(combo))
            if len(self._parsed) >= KEPT:
                self._parsed.clear()
            self._parsed[combo] = found
        return found

    def _logged(self, combo: tuple[int, ...]) -> tuple[Config, set[str]]:
        reads: set[str] = set()
        cfg = self.config(combo)
        return replace(cfg, values=Logged(cfg.values, reads), knobs=Logged(cfg.knobs, reads)), reads

    def _axes_read(self, reads: set[str]) -> set[int]:
        return {self._position[k] for k in reads if k in self._position}

    def _structure(self, combo: tuple[int, ...]) -> tuple[Any, set[int]]:
        """The row's structure (as the counting sees it: :meth:`Counting.structure`); the
        rules across keys run again, logged (parse ran them), and the counting's own."""
        cfg, reads = self._logged(combo)
        check_across(cfg.origin, cfg.values, cfg.knobs)
        self.counting.check_row(cfg)
        return self.counting.structure(cfg), self._axes_read(reads)

    def _mode_values(self, combo: tuple[int, ...]) -> tuple[tuple[int, ...], set[int]]:
        """The row's values of the mode's numbers (:meth:`Counting.mode_values`)."""
        cfg, reads = self._logged(combo)
        return tuple(self.counting.mode_values(cfg).values()), self._axes_read(reads)

    def _source(self, key: str) -> tuple[str, Any]:
        """Where a key column's value comes from: ``("axis", i)``, ``("const", value)`` or
        ``("derived", Determined)`` (a default that reads an axis, e.g. d_head)."""
        if key in self._position:
            return "axis", self._position[key]
        applies = BY_NAME[key].only in (None, self.first.get("architecture"))

        def run(combo: tuple[int, ...]) -> tuple[Any, set[int]]:
            cfg, reads = self._logged(combo)
            return (cfg.get(key) if applies else None), self._axes_read(reads)

        found = determine(self.axes, run)
        if isinstance(found, Determined) and not found.indices:
            return "const", found.table[()]
        return "derived", found

    # -- rows ---------------------------------------------------------------------------

    def _plan(self) -> None:
        """What :meth:`values` needs, worked out once: where each varying key column comes
        from, the program of each structure (and where its arguments are) and the roles no
        row has."""
        self._derived = [(k, what) for k, (kind, what) in self.sources.items() if kind == "derived"]
        # the varying key columns, in column order, picked from the axes and derived values
        self._varying = [k for k, (kind, _) in self.sources.items() if kind != "const"]
        came = {**{k: i for i, k in enumerate(self.axis_keys)},
                **{k: len(self.axes) + i for i, (k, _) in enumerate(self._derived)}}
        self._reorder = _picker([came[k] for k in self._varying])
        # a row's values, as programs read them: the varying columns, then the constant ones
        consts = [(k, what) for k, (kind, what) in self.sources.items() if kind == "const"]
        where = {**{k: i for i, k in enumerate(self._varying)},
                 **{k: len(self._varying) + i for i, (k, _) in enumerate(consts)}}
        self._consts = tuple(v for _, v in consts)
        self._n_index = where["N"]
        self._window_index = where["window"]
        where.update({k: len(where) + i for i, k in enumerate(self.mode_names)})
        self._shown = _picker([self.mode_names.index(c) for c in self.counting.mode_columns])
        if not self.counting.compiled:  # a closed form: every row is the reference's
            self._roles = tuple(range(len(ROLES)))
            self._zero_roles = set()
            return
        if isinstance(self.structure, PerRow):  # structures met as the rows come: compiled then
            self._zero_roles, self._roles = set(), tuple(range(len(ROLES)))  # a 0 share: 0.0 either way
            entries: dict[Any, tuple] = {}

            def entry(combo: tuple[int, ...], arch_of=self.structure.get) -> tuple:
                arch = arch_of(combo)
                if arch not in entries:
                    p = summary(self.counting, arch)
                    entries[arch] = (p.function, _picker([where[k] for k in p.keys]))
                return entries[arch]
            self._entry = entry
            return
        programs = {s: summary(self.counting, s) for s in set(self.structure.table.values())}
        # a role whose FLOPs are the zero polynomial in every structure here: its share is 0.0
        self._zero_roles = {r for i, r in enumerate(ROLES)
                            if all(not p.program.ratios[i].terms for p in programs.values())}
        self._roles = tuple(i for i, r in enumerate(ROLES) if r not in self._zero_roles)
        self._entries = {proj: (programs[arch].function, _picker([where[k] for k in programs[arch].keys]))
                         for proj, arch in self.structure.table.items()}
        self._checkers = {proj: (programs[arch].checker.function,
                                 _picker([where[k] for k in programs[arch].checker_keys]))
                          for proj, arch in self.structure.table.items() if programs[arch].checker is not None}
        entries, structure_key = self._entries, self.structure.key
        one = next(iter(entries.values())) if len(entries) == 1 else None  # one structure: no lookup
        self._entry = (lambda combo: one) if one is not None else (lambda combo: entries[structure_key(combo)])

    @property
    def streamed(self) -> bool:
        """Whether rows are checked as they are written (a long grid, or a function of the
        row run per row), not all before the first."""
        return len(self) > CHECKED_ROWS or any(
            isinstance(d, PerRow) for d in (self.structure, self.mode, *(w for _, w in self._derived)))

    def layout(self) -> list[tuple[str, Any]]:
        """Every column: ``("const", value)`` or ``("var", i)``, i into :meth:`values`' tuples
        (the varying columns in column order)."""
        out: list[tuple[str, Any]] = [("const", self.first.name)]
        out += [("const", v) for v in self.counting.labels.values()]
        varying = {k: i for i, k in enumerate(self._varying)}
        for k in KEY_COLUMNS:
            kind, what = self.sources[k]
            out.append(("const", what) if kind == "const" else ("var", varying[k]))
        j = len(self._varying)
        out += [("var", j + i) for i in range(len(self.counting.mode_columns))]
        j += len(self.counting.mode_columns)
        out += [("var", j + i) for i in range(5)]  # params x3, total, per_token
        j += 5
        for r in ROLES:
            if r in self._zero_roles:
                out.append(("const", 0.0))
            else:
                out.append(("var", j))
                j += 1
        for present in row_present(self.counting.mode):
            out.append(("var", j) if present else ("const", None))
            j += present
        return out

    def check_rows(self) -> None:
        """Raise the error of the first row that cannot be counted, before any is written:
        where a structure's program divides, its checks run over every row (a row whose
        value is not whole is counted by the reference, which raises); a closed form's rows
        are the reference's, each counted.  Every other row was checked when the sweep was
        made."""
        if self.streamed:  # each row checked as it is written (values() raises its error)
            return
        if not self.counting.compiled:
            for _ in self.values():
                pass
            return
        if not self._checkers:
            return
        key_row, consts, mode_of = self._key_row(), self._consts, getter(self.mode)
        checkers, structure_key, no_check = self._checkers, self.structure.key, (lambda *a: (), tuple)
        for combo in product([a.values for a in self.axes]):
            check, pick = checkers.get(structure_key(combo), no_check)
            if check(*pick(key_row(combo) + consts + (mode_of(combo) if self.mode_names else ()))) is None:
                reference_row(self.config(combo), self.counting)  # raises its error

    def _key_row(self) -> Callable[[tuple[int, ...]], tuple]:
        """combo -> the varying key columns, in column order (the axes' values and the
        defaults derived from them)."""
        derived, reorder = [getter(d) for _, d in self._derived], self._reorder
        if not derived:
            return reorder
        return lambda combo: reorder(combo + tuple([g(combo) for g in derived]))

    def _reference(self, combo: tuple[int, ...], head: tuple) -> tuple:
        """A row's values by the reference (:func:`~flopdocs.counting.rows.reference_row`) after
        ``head`` (its key columns and the mode's numbers)."""
        r = reference_row(self.config(combo), self.counting)
        return (*head, *(r[c] for c in COUNT_COLUMNS[:5]), *(r[f"share_{_ROLES[i]}"] for i in self._roles),
                *(r[c] for c, present in zip(MEMORY_COLUMNS, row_present(self.counting.mode)) if present))

    def values(self) -> Iterator[tuple]:
        """Each row's varying values, in column order (:meth:`layout`): the key columns
        that vary, the mode's numbers, the parameters, total and per-token FLOPs, the
        shares of the roles that occur."""
        key_row, consts, n_index, n_roles = self._key_row(), self._consts, self._n_index, len(ROLES)
        mode_of, shown = getter(self.mode), self._shown
        if not self.counting.compiled:
            for combo in product([a.values for a in self.axes]):
                yield self._reference(combo, (*key_row(combo), *shown(mode_of(combo))))
            return
        shares, entry = _picker(list(self._roles)), self._entry
        memory_of = row_columns(settings(self.counting.options, self.counting.mode), self.counting.mode)
        positions_of, w_index = self.counting.positions(self.mode_names), self._window_index
        p_at, extra_at = n_roles, n_roles + 4
        numbers = shown_numbers = ()  # a mode's numbers: looked up per row where it has them
        for combo in product([a.values for a in self.axes]):
            row = key_row(combo)
            function, pick = entry(combo)
            if self.mode_names:
                numbers = mode_of(combo)
                shown_numbers = shown(numbers)
            full = row + consts + numbers
            out = function(*pick(full))
            if out is None:  # a value the reference checks is not whole: it answers
                yield self._reference(combo, (*row, *shown_numbers))
                continue
            total = sum(out[:n_roles])
            n = full[n_index]
            positions = uncapped = positions_of(numbers)
            if positions is not None and full[w_index] is not None and full[w_index] < positions:
                positions = full[w_index]
            yield (*row, *shown_numbers, out[p_at], out[p_at + 1], out[p_at + 2], n * total, total // out[p_at + 3],
                   *map(total.__rtruediv__, shares(out)),  # each role's FLOPs / total
                   *memory_of(out[p_at], out[extra_at:], n, positions, uncapped))

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each row as ``{column: value}``."""
        cols = columns(self.counting)
        layout = self.layout()
        for vals in self.values():
            yield {c: (what if kind == "const" else vals[what]) for c, (kind, what) in zip(cols, layout)}

