"""How a convention counts: rules over the leaves of one shared structure.

:func:`~flopdocs.structure.build.structure` builds a config structure's tree with the true
count of every leaf (the layers know no convention).  A convention is a table ``{(layer, leaf name): rule}``;
:func:`apply` walks a tree and lets each rule recount (or drop) the leaves it names,
inside the nearest enclosing layer of that name, keeping the repetition above them.
Nothing here knows a particular convention or reads a config.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import sympy

from flopdocs.config.arch import SEED, Arch
from flopdocs.config.symbols import window
from flopdocs.structure.build import structure
from flopdocs.structure.tree import Node, Op


@dataclass(frozen=True)
class Recount:
    """Count a leaf as ``count(*shape)`` of its operand's shape, for the reason ``note``."""

    count: Callable[..., Any]
    note: str

    def __call__(self, leaf: Node) -> Node:
        shape = leaf.op.shapes[0]
        value = self.count(*shape)
        value = sympy.Integer(value) if isinstance(value, int) else value
        return replace(leaf, value=value, op=Op("count", (tuple(shape),), note=self.note))


@dataclass(frozen=True)
class Drop:
    """Do not count a leaf at all (it is absent from the convention's tree)."""

    note: str

    def __call__(self, leaf: Node) -> None:
        return None


Rule = Callable[[Node], "Node | None"]
Rules = Mapping[tuple[str, str], Rule]


def apply(tree: Node, rules: Rules) -> Node:
    """``tree`` counted by ``rules``: each named leaf recounted (its repetition kept) or dropped."""
    if not rules:
        return tree

    def rec(t: Node, layer: str | None, scale: Any) -> Node | None:
        layer = t.layer or layer
        scale = scale * t.times
        if t.is_leaf:
            rule = rules.get((layer, t.name))
            if rule is None:
                return t
            counted = rule(t)  # a rule counts one occurrence, from the operand's shape
            return None if counted is None else replace(counted, value=scale * counted.value)
        children = tuple(c for c in (rec(c, layer, scale) for c in t.children) if c is not None)
        return replace(t, children=children)

    return rec(tree, None, 1)


#: ``--scores``: which query-key pairs of a head are counted.
SCORES = ("dense", "exact", "half")
_HEADS = ("ScaledDotProductAttention", "WindowedAttention")


def pairs(head: Node, scores: str) -> tuple[Any, Any]:
    """(n_q·n_k, the pairs ``scores`` counts) of one head, from its ``Q * K.T`` leaf.

    ``dense``: every pair a masked dense kernel computes.  ``exact``: only what the
    mask admits: l(l + 1)/2 under a causal mask over l queries and l keys, and
    Σᵢ min(i, w) = w(w + 1)/2 + (l − w)·w under a sliding window w < l; a head without a
    causal mask (an encoder, cross-attention) or a decode step (one query, every cached
    key visible) is dense.  ``half``: Megatron-LM's l²/2 for causal self-attention.
    """
    (n_q, _), (_, n_k) = head["Q * K.T"].op.shapes
    dense = n_q * n_k
    causal = "+ mask" in head.keys() and n_q == n_k
    if scores == "dense" or not causal:
        return dense, dense
    if scores == "half":
        return dense, dense / 2
    if head.layer == "WindowedAttention":
        return dense, window * (window + 1) / 2 + (n_q - window) * window
    return dense, n_q * (n_q + 1) / 2


def _per_pair(leaf: Node, n_q: Any, n_k: Any) -> bool:
    """Whether a head's leaf costs a fixed amount per query-key pair."""
    shapes = leaf.op.shapes if leaf.op is not None else ()
    if leaf.op is not None and leaf.op.form == "matmul":
        (m, k), (_, n) = shapes
        return (m, n) == (n_q, n_k) or (m, k) == (n_q, n_k)
    return bool(shapes) and tuple(shapes[0]) == (n_q, n_k)


def count_scores(tree: Node, scores: str) -> Node:
    """Every head's per-pair leaves scaled from n_q·n_k pairs to the pairs ``scores`` counts."""
    if scores == "dense":
        return tree

    def rec(t: Node) -> Node:
        if t.layer in _HEADS and not t.is_leaf:
            dense, counted = pairs(t, scores)
            if counted == dense:
                return t
            (n_q, _), (_, n_k) = t["Q * K.T"].op.shapes
            return _scale_leaves(t, lambda leaf: _per_pair(leaf, n_q, n_k), sympy.expand(counted / dense))
        if t.is_leaf:
            return t
        return replace(t, children=tuple(rec(c) for c in t.children))

    return rec(tree)


def _scale_leaves(t: Node, which: Callable[[Node], bool], factor: Any) -> Node:
    if t.is_leaf:
        return replace(t, value=sympy.expand(t.value * factor)) if which(t) else t
    return replace(t, children=tuple(_scale_leaves(c, which, factor) for c in t.children))


def count_macs(tree: Node) -> Node:
    """``--macs``: a multiply-add counted as 1 (fvcore, ptflops), not 2: matmuls halved."""
    return _scale_leaves(tree, lambda leaf: leaf.kind == "matmul", sympy.Rational(1, 2))


def builder(rules: Rules) -> Callable[..., Node]:
    """A tree convention's ``build(config=None, ...)``: its tree for a config's structure,
    counted by ``rules`` and the flags, cached per structure."""

    @lru_cache(maxsize=None)
    def symbolic(arch: Arch, decode: bool, scores: str, macs: bool) -> Node:
        tree = count_scores(apply(structure(arch, decode), rules), scores)
        return count_macs(tree) if macs else tree

    def build(config: Any = None, *, arch: Arch | None = None, decode: bool = False,
              scores: str = "dense", macs: bool = False) -> Node:
        """The symbolic cost tree of one forward pass over one sequence (cached per
        structure, ``arch`` or the config's; its numeric keys are symbols, evaluated
        through ``Config.dims``)."""
        if arch is None:
            arch = SEED if config is None else config.arch
        return symbolic(arch, decode, scores, macs)

    return build
