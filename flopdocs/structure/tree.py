"""The cost tree as plain data, and the small API that queries it.

A :class:`Node` is either a leaf, holding one operation's cost (a sympy expression
in the model's dimensions, or an ``int`` once evaluated), or a parent holding named
children.  A parent has no cost of its own: its total is always the sum of its
children.  Repetition (heads, layers, sequences) multiplies every leaf of a subtree,
as the seed's ``repeat`` does, and records the factor in ``times`` for display.

Functions here only transform trees; nothing prints, nothing reads files.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from typing import Any

import sympy
from sympy import Expr, Integer, Symbol

from flopdocs.base.text import anchor, slug  # noqa: F401  (re-exported: a node's anchor)
from flopdocs.structure.roles import KINDS, ROLES


@dataclass(frozen=True)
class Op:
    """How a leaf's count was derived: the form of the derivation and its operand shapes.

    ``form`` is one of ``matmul`` (2 FLOPs per multiply-add: ``2·m·k·n`` for
    ``(m×k)(k×n)``), ``elementwise`` (``per_element`` FLOPs per element of
    ``shapes[0]``), ``reduction`` (one add per element reduced) or ``count`` (a count
    written out by hand, explained by ``note``; ``shapes[0]``, if any, is the operand).
    """

    form: str
    shapes: tuple[tuple[Any, ...], ...] = ()
    per_element: Any = 1
    note: str = ""


@dataclass(frozen=True)
class Weight:
    """A learned tensor a leaf uses: ``prod(shape)`` parameters, or none of its own when
    ``tied_to`` names the tensor it is (declared on another leaf, counted there once).
    ``role`` (default: the leaf's) decides the parameter split (embedding or not)."""

    name: str
    shape: tuple[Any, ...]
    tied_to: str | None = None
    role: str | None = None

    @property
    def size(self) -> Any:
        return sympy.Mul(*self.shape)


@dataclass(frozen=True)
class IO:
    """The elements a leaf moves and keeps, symbolic like its FLOPs (:mod:`flopdocs.structure.ops`
    declares them once per op form): ``reads`` of activations, ``weight_reads`` of its learned
    tensors, ``writes`` of its result, ``saved`` activation elements an eager implementation
    keeps for the backward pass (each tensor counted by the leaf that first saves it) and
    ``saved_index`` integer indices kept (an embedding's token ids, 8 bytes each)."""

    reads: Any = 0
    weight_reads: Any = 0
    writes: Any = 0
    saved: Any = 0
    saved_index: Any = 0

    def scaled(self, n: Any) -> "IO":
        return IO(n * self.reads, n * self.weight_reads, n * self.writes, n * self.saved,
                  n * self.saved_index)


NO_IO = IO()


@dataclass(frozen=True)
class Node:
    name: str
    children: tuple["Node", ...] = ()
    value: Any = None  # leaves only: sympy Expr, int (evaluated) or float (shares)
    layer: str | None = None  # the layer family this subtree instantiates
    op: Op | None = None  # leaves only: how the count was derived
    times: Any = 1  # repetition already folded into the leaves below
    kind: str | None = None  # leaves: the arithmetic (flopdocs.structure.roles.KINDS)
    role: str | None = None  # leaves: the part of the model (flopdocs.structure.roles.ROLES)
    weights: tuple[Weight, ...] = ()  # leaves: the learned tensors used
    copies: Any = None  # parameter copies per use of this subtree, when not ``times`` (experts)
    io: IO = NO_IO  # leaves: the elements read, written and kept for backward (times folded in)

    def __post_init__(self) -> None:
        if self.children and self.value is not None:
            raise ValueError(f"node {self.name!r} has both children and a value")
        if not self.children and self.value is None:
            raise ValueError(f"leaf {self.name!r} has no value")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"leaf {self.name!r}: unknown kind {self.kind!r} (known: {', '.join(KINDS)})")
        if self.role is not None and self.role not in ROLES:
            raise ValueError(f"leaf {self.name!r}: unknown role {self.role!r} (known: {', '.join(ROLES)})")
        names = [c.name for c in self.children]
        if len(set(names)) != len(names):
            raise ValueError(f"node {self.name!r} has duplicate children: {names}")

    @property
    def param_copies(self) -> Any:
        """How many copies of this subtree's weights one use of it stores."""
        return self.times if self.copies is None else self.copies

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @cached_property
    def total(self) -> Any:
        """The leaf's value, or the sum of the children's totals."""
        if self.is_leaf:
            return self.value
        totals = [c.total for c in self.children]
        if any(isinstance(t, sympy.Basic) for t in totals):
            return sympy.Add(*totals)
        return sum(totals)

    def __getitem__(self, key: str | tuple[str, ...]) -> "Node":
        if isinstance(key, tuple):
            node = self
            for k in key:
                node = node[k]
            return node
        for child in self.children:
            if child.name == key:
                return child
        raise KeyError(key)

    def keys(self) -> list[str]:
        return [c.name for c in self.children]

    def __iter__(self) -> Iterator["Node"]:
        return iter(self.children)


def node(name: str, children: Iterable[Node], layer: str | None = None) -> Node:
    return Node(name=name, children=tuple(children), layer=layer)


def rename(tree: Node, name: str) -> Node:
    return replace(tree, name=name)


def repeat(tree: Node, n: Any, copies: Any = None) -> Node:
    """Multiply every leaf by ``n`` (the seed's ``repeat``), recording it in ``times``.

    ``copies``: how many copies of the subtree's weights exist, when not ``n`` (a token
    uses ``k`` of ``n_experts`` experts: FLOPs ×k, parameters ×n_experts).
    """

    def rec(t: Node) -> Node:
        if t.is_leaf:
            return replace(t, value=n * t.value, io=t.io.scaled(n) if t.io is not NO_IO else t.io)
        return replace(t, children=tuple(rec(c) for c in t.children))

    stored = None if copies is None and tree.copies is None else (n if copies is None else copies) * tree.param_copies
    return replace(rec(tree), times=n * tree.times, copies=stored)


def walk(tree: Node, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Node]]:
    """Every node in pre-order, with its path of names from (not including) the root."""
    yield path, tree
    for child in tree.children:
        yield from walk(child, path + (child.name,))


def leaves(tree: Node) -> Iterator[tuple[tuple[str, ...], Node]]:
    return ((p, n) for p, n in walk(tree) if n.is_leaf)


def map_values(tree: Node, f) -> Node:
    """A tree of the same shape with ``f`` applied to every leaf value."""
    if tree.is_leaf:
        return replace(tree, value=f(tree.value))
    return replace(tree, children=tuple(map_values(c, f) for c in tree.children))


def as_expr(value: Any) -> sympy.Basic:
    """A leaf value as a sympy object: ints become ``Integer``; anything else must already
    be sympy (text is never parsed: nothing here calls ``sympify``)."""
    if isinstance(value, bool):
        raise TypeError(f"a cost cannot be a bool: {value!r}")
    if isinstance(value, int):
        return Integer(value)
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"a cost must be an int or a sympy expression, got {type(value).__name__}")


def evaluate(tree: Node, values: Mapping[Symbol, int]) -> Node:
    """The tree with every leaf an exact Python ``int`` for the given dimensions.

    Raises ``ValueError`` if a leaf is not a whole number (an inexact config, e.g.
    ``d_model`` not divisible by ``n_heads``) or a symbol is left unset.
    """
    reps = {s: Integer(v) for s, v in values.items()}

    def to_int(expr: Any, what: str) -> int:
        if isinstance(expr, int):
            return expr
        r = as_expr(expr).xreplace(reps)
        if not r.is_Integer:
            raise ValueError(f"{what} evaluates to {r}, not a whole number")
        return int(r)

    def rec(t: Node) -> Node:
        times = to_int(t.times, f"repeat factor of {t.name!r}")
        copies = None if t.copies is None else to_int(t.copies, f"copies of {t.name!r}")
        if t.is_leaf:
            return replace(t, value=to_int(t.value, repr(t.name)), times=times, copies=copies)
        return replace(t, children=tuple(rec(c) for c in t.children), times=times, copies=copies)

    return rec(tree)


def fractions(tree: Node, of: Any = None) -> Node:
    """Every leaf as its share of ``of`` (default: the tree's total), as floats.

    The division is exact (``Fraction``) before rounding to float, so the shares of
    an evaluated tree sum to 1 within float rounding.
    """
    whole = tree.total if of is None else of
    if isinstance(whole, int):
        return map_values(tree, lambda v: float(Fraction(v, whole)))
    return map_values(tree, lambda v: v / whole)


def share(part: Any, whole: Any) -> float:
    return float(Fraction(int(part), int(whole)))


def names(tree: Node) -> set[str]:
    return {n.name for _, n in walk(tree)}


def to_dict(tree: Node) -> dict[str, Any] | Any:
    """The tree as nested dicts of leaf values, in the seed's ``flops_dict`` shape."""
    if tree.is_leaf:
        return tree.value
    return {c.name: to_dict(c) for c in tree.children}


# -- symbolic views ---------------------------------------------------------------


def expanded(expr: Expr) -> Expr:
    return sympy.expand(expr)


def collect(expr: Expr, var: Symbol) -> Expr:
    """The expanded expression collected by powers of ``var`` (seed In [20]-[25])."""
    return sympy.collect(sympy.expand(expr), var)


def leading_term(expr: Expr, var: Symbol) -> Expr:
    """The highest power of ``var`` with its coefficient, e.g. ``4 d n l**2`` in l."""
    e = sympy.expand(expr)
    deg = sympy.degree(e, var)
    return sympy.expand(e.coeff(var, deg)) * var**deg
