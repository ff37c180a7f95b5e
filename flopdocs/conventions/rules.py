"""How a convention counts: rules over the leaves of one shared structure.

:func:`structure` builds a config structure's tree with the true count of every leaf
(the layers know no convention).  A convention is a table ``{(layer, leaf name): rule}``;
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

from ..arch import SEED, Arch
from ..layers.encoder_decoder import encoder_decoder
from ..layers.transformer import transformer
from ..symbols import (d_ff, d_model, l, l_src, l_tgt, n_decoder_layers, n_encoder_layers,
                       n_heads, n_layers, n_vocab)
from ..tree import Node, Op


@lru_cache(maxsize=None)
def structure(arch: Arch = SEED) -> Node:
    """The symbolic tree of one forward pass over one sequence: every leaf's true count."""
    if arch.encoder_decoder:
        return encoder_decoder(l_src, l_tgt, d_model, d_ff, n_vocab, n_encoder_layers,
                               n_decoder_layers, n_heads, arch=arch)
    return transformer(l, d_model, d_ff, n_vocab, n_layers, n_heads, arch=arch)


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


def builder(rules: Rules) -> Callable[..., Node]:
    """A convention's ``build(config=None)``: its tree for a config's structure, cached."""

    @lru_cache(maxsize=None)
    def symbolic(arch: Arch) -> Node:
        return apply(structure(arch), rules)

    def build(config: Any = None) -> Node:
        """The symbolic cost tree of one forward pass over one sequence (cached per
        structure; its numeric keys are symbols, evaluated through ``Config.dims``)."""
        return symbolic(SEED if config is None else config.arch)

    return build
