"""Compile once, evaluate at integer speed: a cost tree's expressions as integer code.

:func:`evaluate` is :func:`flopdocs.structure.tree.evaluate` (the same tree, node for node, and
the same errors) through a program compiled once per tree (:mod:`flopdocs.compile.codegen`):
every expression the reference turns into an int (each node's ``times`` and ``copies``,
each leaf's value) is an output, checked whole as the reference checks it; when one is
not whole the program answers ``None`` and the reference evaluates, raising its error.
So a result is returned exactly when the reference returns one, and it is the same.

:func:`breakdown` is the library's sweep: every leaf of one structure under one
convention, one row of ints per config, at integer speed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sympy import Symbol

from flopdocs import conventions
from flopdocs.config.arch import SEED
from flopdocs.config.keys import KEYS, key_of
from flopdocs.structure.tree import Node, evaluate as reference_evaluate, walk

if TYPE_CHECKING:  # codegen is imported when something is compiled: a one-off report never is
    from flopdocs.compile.codegen import Program

__all__ = ["Breakdown", "CompiledTree", "breakdown", "compile_leaves", "compile_tree", "compiled", "evaluate",
           "tree_exprs"]


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


#: Node fields evaluation leaves as they are (every field but these four).
_KEPT = tuple(f.name for f in fields(Node) if f.name not in ("children", "value", "times", "copies"))


class _Plan:
    """How to rebuild one node from a program's outputs: each of ``times``, ``copies``
    and ``value`` is an int kept as it is, or ``None`` (absent) or a :class:`_Slot`."""

    __slots__ = ("kept", "times", "copies", "value", "children")

    def __init__(self, kept: dict[str, Any], times: Any, copies: Any, value: Any, children: tuple):
        self.kept, self.times, self.copies, self.value, self.children = kept, times, copies, value, children


class _Slot:
    """The index of a program output."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


def _plan(tree: Node, exprs: list[Any]) -> _Plan:
    """The tree's plan; appends every expression :func:`flopdocs.structure.tree.evaluate` turns into
    an int (each node's ``times``, ``copies``, a leaf's ``value``; pre-order) to ``exprs``."""

    def slot(x: Any) -> Any:
        if x is None or _is_int(x):
            return x
        exprs.append(x)
        return _Slot(len(exprs) - 1)

    times, copies = slot(tree.times), slot(tree.copies)
    value = slot(tree.value) if tree.is_leaf else None
    return _Plan(kept={name: getattr(tree, name) for name in _KEPT}, times=times, copies=copies,
                 value=value, children=tuple(_plan(c, exprs) for c in tree.children))


@dataclass(frozen=True)
class CompiledTree:
    """A symbolic cost tree and its :class:`Program`: :meth:`evaluate` gives the tree
    :func:`flopdocs.structure.tree.evaluate` gives, node for node, at integer speed."""

    tree: Node
    program: Program  # outputs: every non-int times, copies and leaf value, in pre-order
    plan: _Plan

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        return self.program.symbols

    def evaluate(self, values: Mapping[Symbol, int]) -> Node:
        try:
            args = [values[s] for s in self.program.symbols]
        except KeyError:  # a symbol left unset: the reference names it
            return reference_evaluate(self.tree, values)
        out = self.program.function(*args) if all(type(a) is int for a in args) else None
        if out is None:  # not whole (or not plain ints): the reference raises its error
            return reference_evaluate(self.tree, values)

        def get(x: Any) -> Any:
            return out[x.index] if type(x) is _Slot else x

        def rec(p: _Plan) -> Node:  # tree.evaluate's replace(), with the fields spelled out
            if p.children:
                return Node(**p.kept, children=tuple(rec(c) for c in p.children),
                            times=get(p.times), copies=get(p.copies))
            return Node(**p.kept, value=get(p.value), times=get(p.times), copies=get(p.copies))

        return rec(self.plan)


def tree_exprs(tree: Node) -> list[Any]:
    """Every expression :func:`flopdocs.structure.tree.evaluate` checks is whole (each node's
    ``times`` and ``copies``, each leaf's value; ints left out), in pre-order."""
    exprs: list[Any] = []
    _plan(tree, exprs)
    return exprs


def compile_tree(tree: Node, order: Sequence[Symbol] = ()) -> CompiledTree:
    """Compile every expression :func:`flopdocs.structure.tree.evaluate` evaluates (raises
    :class:`NotCompilable` for a form it does not handle)."""
    from flopdocs.compile.codegen import compile_exprs

    exprs: list[Any] = []
    plan = _plan(tree, exprs)
    return CompiledTree(tree=tree, program=compile_exprs(exprs, order=order), plan=plan)


_CACHE: dict[int, tuple[Node, CompiledTree | None]] = {}
_SEEN: dict[int, Node] = {}
_CACHE_SIZE = 4096


def compiled(tree: Node) -> CompiledTree | None:
    """The tree's compiled form, made once per tree object (None: not compilable)."""
    hit = _CACHE.get(id(tree))
    if hit is not None and hit[0] is tree:
        return hit[1]
    from flopdocs.compile.codegen import NotCompilable

    try:
        c = compile_tree(tree)
    except NotCompilable:
        c = None
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[id(tree)] = (tree, c)  # the tree is kept, so its id is not reused while cached
    return c


def evaluate(tree: Node, values: Mapping[Symbol, int]) -> Node:
    """Exactly :func:`flopdocs.structure.tree.evaluate` (the same tree, the same errors).

    A tree is compiled the second time it is evaluated: compiling costs a few reference
    evaluations, so a one-off (``flopdocs report``) does not pay for it, and every
    evaluation after the first of a structure is integer arithmetic.
    """
    key = id(tree)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not tree:
        if _SEEN.get(key) is not tree:
            if len(_SEEN) >= _CACHE_SIZE:
                _SEEN.clear()
            _SEEN[key] = tree
            return reference_evaluate(tree, values)
    c = compiled(tree)
    return reference_evaluate(tree, values) if c is None else c.evaluate(values)


# -- the library's sweep: every leaf, one row of ints per config ------------------------


@dataclass(frozen=True)
class Breakdown:
    """One structure's tree under one convention, compiled to a row of ints per config:
    every leaf's FLOPs for one sequence, in :attr:`paths` order.  Arguments are the
    config keys :attr:`keys` names, in that order (``Config.get`` gives each)."""

    tree: Node  # symbolic, per sequence
    keys: tuple[str, ...]
    paths: tuple[tuple[str, ...], ...]
    program: Program  # outputs: the leaves' values; checked: every times and copies

    def row(self, *values: int) -> tuple[int, ...]:
        """The leaves' exact FLOPs; a ``ValueError`` (as :func:`flopdocs.structure.tree.evaluate`'s)
        when the config is inexact."""
        out = self.program.function(*values) if all(type(v) is int for v in values) else None
        if out is not None:
            return out
        evaluated = reference_evaluate(self.tree, dict(zip(self.program.symbols, values)))
        return tuple(n.value for _, n in walk(evaluated) if n.is_leaf)

    def rows(self, configs: Iterable[Sequence[int]]) -> Iterable[tuple[int, ...]]:
        """:meth:`row` of each sequence of values (a generator)."""
        f = self.program.function
        for values in configs:
            out = f(*values)
            yield self.row(*values) if out is None else out

    def of(self, config: Any) -> tuple[int, ...]:
        """The row of a :class:`~flopdocs.config.config.Config` (of this structure)."""
        return self.row(*(config.get(k) for k in self.keys))


def breakdown(arch: Any = None, convention: str | None = None) -> Breakdown:
    """The compiled :class:`Breakdown` of a structure (default: the seed's) under a
    convention (default: the default one), made once per pair."""
    return _breakdown(SEED if arch is None else arch, convention or conventions.DEFAULT)


@lru_cache(maxsize=None)
def _breakdown(arch: Any, convention: str) -> Breakdown:
    return compile_leaves(conventions.get(convention).build(SimpleNamespace(arch=arch)))


def compile_leaves(tree: Node) -> Breakdown:
    """A tree's leaves as one row of ints per config, its arguments in the key table's
    order; every ``times`` and ``copies`` is checked whole too (as the reference does)."""
    from flopdocs.compile.codegen import compile_exprs

    checks = [x for _, n in walk(tree) for x in (n.times, n.copies) if x is not None and not _is_int(x)]
    program = compile_exprs([n.value for _, n in walk(tree) if n.is_leaf], checks,
                            order=[k.symbol for k in KEYS if k.symbol is not None])
    keys = tuple(key_of(s) if s in _KEY_SYMBOLS else str(s) for s in program.symbols)
    return Breakdown(tree=tree, keys=keys, paths=tuple(p for p, n in walk(tree) if n.is_leaf), program=program)


_KEY_SYMBOLS = {k.symbol for k in KEYS if k.symbol is not None}
