"""Leaf costs: each a small pure function of shapes, named by the operation.

The counting rule is written here once: a matrix product ``(m×k)(k×n)`` is ``m·n``
dot products of length ``k``, i.e. ``m·k·n`` multiply-adds, counted as 2 FLOPs each;
an elementwise op costs ``per_element`` FLOPs per element; a reduction one add per
element reduced.  Every leaf also says its kind and role (:mod:`flopdocs.structure.roles`) and
declares the learned tensors it uses (:class:`~flopdocs.structure.tree.Weight`).  These are the
true counts; a convention may count a leaf otherwise (:mod:`flopdocs.conventions`).

Bytes are declared here too, in elements (a dtype's bytes multiply them later,
:mod:`flopdocs.counting.memory`), once per op form (:class:`~flopdocs.structure.tree.IO`):

- a matmul ``(m×k)(k×n)`` reads both operands (``k·n`` of weights when it has a weight),
  writes ``m·n``, and keeps for backward the activation operands its gradients need: the
  input ``m·k`` (the gradient of the weight), or both operands of a product of two
  activations;
- an elementwise op reads ``inputs`` operands of its shape and its weights, writes its
  shape, and keeps what ``saves`` says (an add keeps nothing; a product its operands);
- a reduction reads its shape and writes one element per row;
- a count written by hand moves and keeps what its ``io`` says (nothing by default).

``saves`` overrides the default where an eager implementation keeps one tensor for two
leaves (Q, K and V projections read the same input: the first keeps it), so that a
subtree's ``saved`` is the bytes of the distinct tensors kept, as
``torch.autograd.graph.saved_tensors_hooks`` measures them (tests/test_torch_memory.py).
Nothing here knows a dtype.
"""
from __future__ import annotations

from typing import Any

import sympy

from flopdocs.structure.tree import IO, NO_IO, Node, Op, Weight


def _weights(weights: Weight | tuple[Weight, ...] | None) -> tuple[Weight, ...]:
    if weights is None:
        return ()
    return (weights,) if isinstance(weights, Weight) else tuple(weights)


def _weight_elements(weights: tuple[Weight, ...]) -> Any:
    return sympy.Add(*[w.size for w in weights]) if weights else 0


def matmul(name: str, m: Any, k: Any, n: Any, *, role: str, note: str = "",
           weights: Weight | tuple[Weight, ...] | None = None, saves: Any = None) -> Node:
    """``(m × k)(k × n)``: 2·m·k·n FLOPs."""
    ws = _weights(weights)
    if ws:
        io = IO(reads=m * k, weight_reads=_weight_elements(ws), writes=m * n,
                saved=m * k if saves is None else saves)
    else:
        io = IO(reads=m * k + k * n, writes=m * n, saved=m * k + k * n if saves is None else saves)
    return Node(name=name, value=2 * m * k * n, op=Op("matmul", ((m, k), (k, n)), note=note),
                kind="matmul", role=role, weights=ws, io=io)


def elementwise(name: str, *shape: Any, role: str, per_element: Any = 1, note: str = "",
                kind: str = "elementwise", weights: Weight | tuple[Weight, ...] | None = None,
                inputs: int = 1, outputs: int = 1, saves: Any = 0, io: IO | None = None) -> Node:
    """One op on every element of a tensor of ``shape``: ``per_element·prod(shape)``."""
    size = sympy.Mul(*shape) if shape else sympy.Integer(1)
    value = per_element * size if shape else per_element
    ws = _weights(weights)
    if io is None:
        io = IO(reads=inputs * size, weight_reads=_weight_elements(ws), writes=outputs * size, saved=saves)
    return Node(name=name, value=value,
                op=Op("elementwise", (tuple(shape),), per_element=per_element, note=note),
                kind=kind, role=role, weights=ws, io=io)


def reduction(name: str, *shape: Any, role: str, note: str = "") -> Node:
    """A sum over a tensor of ``shape``, counted as one add per element."""
    size = sympy.Mul(*shape)
    return Node(name=name, value=size, op=Op("reduction", (tuple(shape),), note=note),
                kind="reduction", role=role, io=IO(reads=size, writes=sympy.Mul(*shape[:-1])))


def count(name: str, value: Any, note: str, *, role: str, kind: str, shape: tuple = (),
          weights: Weight | tuple[Weight, ...] | None = None, io: IO = NO_IO) -> Node:
    """A count written out by hand, with its reason; ``shape`` is the operand it acts on
    (``(rows, columns)`` for a per-row step), for conventions that count it otherwise."""
    if isinstance(value, int):
        value = sympy.Integer(value)
    return Node(name=name, value=value, op=Op("count", (tuple(shape),) if shape else (), note=note),
                kind=kind, role=role, weights=_weights(weights), io=io)


def weight(name: str, *shape: Any, tied_to: str | None = None, role: str | None = None) -> Weight:
    """A learned tensor of ``shape`` (``prod(shape)`` parameters), or a use of the tensor
    ``tied_to`` declared elsewhere in the tree (counted there, once)."""
    return Weight(name, tuple(shape), tied_to=tied_to, role=role)
