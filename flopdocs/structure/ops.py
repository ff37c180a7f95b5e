"""Leaf costs: each a small pure function of shapes, named by the operation.

The counting rule is written here once: a matrix product ``(m×k)(k×n)`` is ``m·n``
dot products of length ``k``, i.e. ``m·k·n`` multiply-adds, counted as 2 FLOPs each;
an elementwise op costs ``per_element`` FLOPs per element; a reduction one add per
element reduced.  Every leaf also says its kind and role (:mod:`flopdocs.structure.roles`) and
declares the learned tensors it uses (:class:`~flopdocs.structure.tree.Weight`).  These are the
true counts; a convention may count a leaf otherwise (:mod:`flopdocs.conventions`).
"""
from __future__ import annotations

from typing import Any

import sympy

from flopdocs.structure.tree import Node, Op, Weight


def _weights(weights: Weight | tuple[Weight, ...] | None) -> tuple[Weight, ...]:
    if weights is None:
        return ()
    return (weights,) if isinstance(weights, Weight) else tuple(weights)


def matmul(name: str, m: Any, k: Any, n: Any, *, role: str, note: str = "",
           weights: Weight | tuple[Weight, ...] | None = None) -> Node:
    """``(m × k)(k × n)``: 2·m·k·n FLOPs."""
    return Node(name=name, value=2 * m * k * n, op=Op("matmul", ((m, k), (k, n)), note=note),
                kind="matmul", role=role, weights=_weights(weights))


def elementwise(name: str, *shape: Any, role: str, per_element: Any = 1, note: str = "",
                kind: str = "elementwise", weights: Weight | tuple[Weight, ...] | None = None) -> Node:
    """One op on every element of a tensor of ``shape``: ``per_element·prod(shape)``."""
    value = per_element * sympy.Mul(*shape) if shape else per_element
    return Node(name=name, value=value,
                op=Op("elementwise", (tuple(shape),), per_element=per_element, note=note),
                kind=kind, role=role, weights=_weights(weights))


def reduction(name: str, *shape: Any, role: str, note: str = "") -> Node:
    """A sum over a tensor of ``shape``, counted as one add per element."""
    return Node(name=name, value=sympy.Mul(*shape), op=Op("reduction", (tuple(shape),), note=note),
                kind="reduction", role=role)


def count(name: str, value: Any, note: str, *, role: str, kind: str, shape: tuple = (),
          weights: Weight | tuple[Weight, ...] | None = None) -> Node:
    """A count written out by hand, with its reason; ``shape`` is the operand it acts on
    (``(rows, columns)`` for a per-row step), for conventions that count it otherwise."""
    if isinstance(value, int):
        value = sympy.Integer(value)
    return Node(name=name, value=value, op=Op("count", (tuple(shape),) if shape else (), note=note),
                kind=kind, role=role, weights=_weights(weights))


def weight(name: str, *shape: Any, tied_to: str | None = None, role: str | None = None) -> Weight:
    """A learned tensor of ``shape`` (``prod(shape)`` parameters), or a use of the tensor
    ``tied_to`` declared elsewhere in the tree (counted there, once)."""
    return Weight(name, tuple(shape), tied_to=tied_to, role=role)
