"""The calculator beyond its grid: a structure's tree put together from compiled pieces.

A structure's tree is a sequence of *pieces*: the top-level parts (embeddings, the final
norm, the LM head ...) and, inside a repeated or unnamed container (``Blocks``,
``Encoder``), its parts (the block's norms, attention, FFN).  Each piece depends on a few
of :class:`~flopdocs.config.arch.Arch`'s fields only (the attention on the biases, heads,
positions and window; the FFN on its kind, bias and experts).  So the page can count a
structure it has no program for by choosing each piece by the fields it depends on.

Which fields a piece depends on is read from the trees, not declared: for every pair of
structures in the page's grid one field apart (a catalogue model's and its neighbour's),
a piece that differs depends on that field; then, while two structures of the grid agree
on a piece's fields but not on the piece, the field that tells them apart is added.  So
on the grid the table is exact: every grid structure put together from its pieces is its
own tree, leaf for leaf (:func:`table` checks it, with the parameters).  Off the grid a
piece is chosen by its fields from a structure that has the same values of them; where no
structure of the grid has them, the page says so and counts nothing.  The browser test
compares what it shows with ``flopdocs report`` on configs two and three keys away.

Nothing here compiles or writes files (:mod:`flopdocs.site.pages.calculator` does).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from flopdocs.config.arch import Arch
from flopdocs.config.keys import ARCHITECTURES, FFNS, NORMS, POSITIONS
from flopdocs.structure.build import structure
from flopdocs.structure.roles import EMBEDDING_ROLES
from flopdocs.structure.tree import Node, walk

Path = tuple[str, ...]
FIELDS = tuple(f.name for f in dataclasses.fields(Arch))
CHOICES = {"architecture": ARCHITECTURES, "ffn": FFNS, "norm": NORMS, "position": POSITIONS}


def _container(n: Node) -> bool:
    """A node the pieces are taken from inside: unnamed (``Encoder``) or repeated a
    symbolic number of times (``Blocks``: n_layers)."""
    return not n.is_leaf and (n.layer is None or (isinstance(n.times, sympy.Basic) and not n.times.is_number))


def split(tree: Node) -> list[tuple[Path, Node]]:
    """The pieces of a tree, in order, with their paths."""
    out: list[tuple[Path, Node]] = []

    def rec(n: Node, path: Path) -> None:
        for c in n.children:
            if _container(c):
                rec(c, path + (c.name,))
            else:
                out.append((path + (c.name,), c))

    rec(tree, ())
    return out


def _params_at(arch: Arch, paths: Sequence[Path]) -> dict[Path, tuple[Any, Any, Any]]:
    """The (total, non-embedding, active) parameters of the pieces at ``paths`` of
    ``arch``'s tree: the untied weights their leaves declare, each times the copies on its
    path (as :func:`flopdocs.structure.params.parameter_tree` counts them; :func:`check`
    holds the pieces' sum to it)."""
    wanted = set(paths)
    terms: dict[Path, tuple[list, list, list]] = {p: ([], [], []) for p in paths}

    def rec(t: Node, path: Path, stored: Any, used: Any, piece: Path | None) -> None:
        if t.param_copies != 1:
            stored = stored * t.param_copies
        if t.times != 1:
            used = used * t.times
        piece = path if piece is None and path in wanted else piece
        if t.is_leaf:
            for w in t.weights:
                if w.tied_to is None and piece is not None:
                    total, rest, active = terms[piece]
                    total.append(stored * w.size)
                    if (w.role or t.role) not in EMBEDDING_ROLES:
                        rest.append(stored * w.size)
                    active.append(used * w.size)
            return
        for c in t.children:
            rec(c, path + (c.name,), stored, used, piece)

    rec(structure(arch), (), 1, 1, None)
    return {p: tuple(sympy.Add(*x) for x in terms[p]) for p in paths}


def check(arch: Arch, table: "Table") -> None:
    """``arch``'s tree put together from the table's pieces is its own: every piece of its
    tree is the one the table chooses, and the pieces' parameters sum to its own."""
    from flopdocs.structure.params import symbolic

    chosen = compose(arch, table)
    if chosen is None:
        raise ValueError(f"{arch}: the pieces table cannot put it together")
    p = symbolic(arch)
    sums = [sympy.Add(*[table.pieces[s][3][i] for s in chosen]) for i in range(3)]
    want = (p.total, p.non_embedding, p.active)
    if any(sympy.expand(a - b) != 0 for a, b in zip(sums, want)):
        raise ValueError(f"{arch}: its pieces' parameters are not its own")


def compose(arch: Arch, table: "Table") -> list | None:
    """The signatures of ``arch``'s pieces, in order (None: a piece has no choice)."""
    out = []
    for p in table.order:
        key = tuple(getattr(arch, f) for f in table.depends[p])
        if key not in table.choices[p]:
            return None
        if table.choices[p][key] is not None:
            out.append(table.choices[p][key])
    return out


def _signature(n: Node) -> Any:
    if n.is_leaf:
        return (n.name, n.kind, n.role, n.value)
    return (n.name, tuple(_signature(c) for c in n.children))


@dataclass(frozen=True)
class Table:
    """Each piece's fields and, for each of their values, the piece (``None``: absent);
    the pieces' order."""
    order: tuple[Path, ...]
    depends: dict[Path, tuple[str, ...]]
    choices: dict[Path, dict[tuple, Any]]  # values of ``depends[path]`` -> a piece's signature or None
    pieces: dict[Any, tuple[Arch, Path, Node, tuple]]  # a signature -> (a structure, path, node, params)


def neighbours(grid: Sequence[Arch], keep: Callable[[Arch], bool],
               fields: Sequence[str] = FIELDS) -> tuple[Arch, ...]:
    """``grid`` and every structure ``keep`` accepts one of ``fields`` from one of them."""
    out = dict.fromkeys(grid)
    for a in grid:
        for f in fields:
            for v in values(f):
                b = dataclasses.replace(a, **{f: v})
                if keep(b):
                    out[b] = None
    return tuple(out)


def table(grid: Sequence[Arch], around: Sequence[Arch], trees: Callable[[Arch], Node],
          params: bool = True, fields: Sequence[str] = FIELDS, fixed: Sequence[str] = ()) -> Table:
    """The table of pieces: which fields each piece depends on is read from every pair of
    ``around`` (the grid and its neighbours) one field apart where one is in ``grid``, then
    completed until every structure of ``around`` that agrees on a piece's fields agrees
    on the piece; the pieces are ``around``'s (``trees(a)``: the counted tree of ``a``;
    ``params``: with each piece's parameters).  ``fields``: the fields walked one apart;
    ``fixed``: fields every structure of ``around`` has alike, which the first piece depends
    on too (a structure with another value of one is put together from nothing: the page
    names the command)."""
    found: dict[Arch, dict[Path, Any]] = {}
    nodes: dict[Arch, dict[Path, Node]] = {}
    counts: dict[Arch, dict] = {}
    lists = []
    for a in around:
        parts = split(trees(a))
        lists.append([p for p, _ in parts])
        counts[a] = _params_at(a, [p for p, _ in parts]) if params else {}
        nodes[a] = dict(parts)
        found[a] = {p: (p, _signature(n), counts[a].get(p, (0, 0, 0))) for p, n in parts}
    order = _order(lists)
    known = set(around)
    pairs = [(f, a, b) for a in grid for f in fields for v in values(f)
             for b in (dataclasses.replace(a, **{f: v}),) if b != a and b in known]
    depends: dict[Path, tuple[str, ...]] = {}
    for p in order:
        differ = {f for f, a, b in pairs if found[a].get(p) != found[b].get(p)}
        depends[p] = _complete(p, [f for f in FIELDS if f in differ], around, found)
    if order and fixed:
        depends[order[0]] = tuple(f for f in FIELDS if f in depends[order[0]] or f in fixed)
    choices: dict[Path, dict[tuple, Any]] = {}
    pieces: dict[Any, tuple] = {}
    for p in order:
        choices[p] = {}
        for a in around:
            sig = found[a].get(p)
            choices[p][tuple(getattr(a, f) for f in depends[p])] = sig
            if sig is not None and sig not in pieces:
                pieces[sig] = (a, p, nodes[a][p], sig[2])
    return Table(order=tuple(order), depends=depends, choices=choices, pieces=pieces)


def values(field: str) -> tuple:
    """The values an Arch field takes (the rest are bools)."""
    return CHOICES.get(field, (False, True))


def _complete(p: Path, fields: list[str], around, found) -> tuple[str, ...]:
    """Add fields until the structures that agree on them agree on the piece: where two
    disagree, every field they differ in (the cause is one of them; which, the trees do
    not say, so none is guessed)."""
    while True:
        groups: dict[tuple, dict] = {}
        for a in around:
            groups.setdefault(tuple(getattr(a, f) for f in fields), {}).setdefault(found[a].get(p), a)
        clash = [list(sigs.values()) for sigs in groups.values() if len(sigs) > 1]
        if not clash:
            return tuple(f for f in FIELDS if f in fields)
        a, b = clash[0][:2]
        fields += [f for f in FIELDS if f not in fields and getattr(a, f) != getattr(b, f)]


def _order(lists: list[list[Path]]) -> list[Path]:
    """One order of every path that keeps each list's order (a stable topological sort)."""
    after: dict[Path, set] = {}
    first: dict[Path, int] = {}
    for paths in lists:
        for i, p in enumerate(paths):
            first.setdefault(p, len(first))
            after.setdefault(p, set())
            if i:
                after[p].add(paths[i - 1])
    out, done = [], set()
    while len(out) < len(first):
        ready = [p for p in first if p not in done and after[p] <= done]
        if not ready:
            raise ValueError("the pieces' orders disagree")
        p = min(ready, key=first.get)
        out.append(p)
        done.add(p)
    return out
