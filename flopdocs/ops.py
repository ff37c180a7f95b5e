"""Leaf costs: each a small pure function of shapes, named by the operation.

The counting rule is written here once: a matrix product ``(m×k)(k×n)`` is ``m·n``
dot products of length ``k``, i.e. ``m·k·n`` multiply-adds, counted as 2 FLOPs each;
an elementwise op costs ``per_element`` FLOPs per element; a reduction one add per
element reduced.
"""
from __future__ import annotations

from typing import Any

import sympy

from .tree import Node, Op


def matmul(name: str, m: Any, k: Any, n: Any, note: str = "") -> Node:
    """``(m × k)(k × n)``: 2·m·k·n FLOPs."""
    return Node(name=name, value=2 * m * k * n, op=Op("matmul", ((m, k), (k, n)), note=note))


def elementwise(name: str, *shape: Any, per_element: int = 1, note: str = "") -> Node:
    """One op on every element of a tensor of ``shape``: ``per_element·prod(shape)``."""
    value = per_element * sympy.Mul(*shape) if shape else per_element
    return Node(
        name=name,
        value=value,
        op=Op("elementwise", (tuple(shape),), per_element=per_element, note=note),
    )


def reduction(name: str, *shape: Any, note: str = "") -> Node:
    """A sum over a tensor of ``shape``, counted as one add per element."""
    return Node(name=name, value=sympy.Mul(*shape), op=Op("reduction", (tuple(shape),), note=note))


def count(name: str, value: Any, note: str) -> Node:
    """A count written out by hand (the seed's own arithmetic), with its reason."""
    if isinstance(value, int):
        value = sympy.Integer(value)
    return Node(name=name, value=value, op=Op("count", note=note))


def parameters(name: str, *shape: Any, note: str = "") -> Node:
    """A learned tensor of ``shape``: ``prod(shape)`` parameters (a parameter-tree leaf)."""
    return Node(name=name, value=sympy.Mul(*shape), op=Op("parameters", (tuple(shape),), note=note))
