"""Parameter counts: a walk over the cost tree's declared weights, exact ints.

Every leaf declares the learned tensors it uses (:class:`~flopdocs.structure.tree.Weight`): a
matmul its matrix, a bias add its vector, a norm its γ (and β), the embedding its
tables.  Repetition multiplies them as it multiplies FLOPs (layers, norms, heads),
except where a subtree stores more copies than a token uses (``Node.copies``: the
experts).  A tied weight (``tied_to``) is a use of a tensor declared elsewhere and
counts nothing itself.  Parameters do not depend on the counting convention.

- ``total``: every parameter, a tied LM head counted once (in Embeddings);
- ``non_embedding``: without the weights whose role is embedding or lm-head (the word
  and position tables and the LM head: Kaplan et al. 2020's N);
- ``active``: the parameters one token passes through: with n_experts, k of them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import sympy

from flopdocs.config.arch import Arch
from flopdocs.structure.build import structure
from flopdocs.errors import ConfigError
from flopdocs.base.memo import by_identity
from flopdocs.structure.roles import EMBEDDING_ROLES
from flopdocs.structure.tree import Node, as_expr, evaluate, walk


@dataclass(frozen=True)
class Symbolic:
    tree: Node | None  # the weights, under the cost tree's node names (None: no parameters)
    total: Any
    non_embedding: Any
    active: Any


def parameter_tree(tree: Node, *, active: bool = False) -> Node | None:
    """The weights of a cost tree as a tree: the cost tree's nodes (leaves replaced by the
    untied weights they declare), each weight's value its size times the copies above it
    (``active``: the copies one token uses).  ``None`` when there are no weights."""

    def rec(t: Node) -> list[Node]:
        factor = t.times if active else t.param_copies
        if t.is_leaf:
            return [Node(name=w.name, value=factor * w.size, role=w.role or t.role)
                    for w in t.weights if w.tied_to is None]
        children = [n for c in t.children for n in rec(c)]
        if not children:
            return []
        kept = replace(t, children=tuple(children), times=factor, copies=None)
        return [_scale(kept, factor)]

    out = rec(tree)
    return out[0] if out else None


def _scale(t: Node, factor: Any) -> Node:
    """Multiply the leaves below ``t``'s children by ``factor`` (its own copies)."""
    if factor == 1:
        return t

    def rec(n: Node) -> Node:
        if n.is_leaf:
            return replace(n, value=factor * n.value)
        return replace(n, children=tuple(rec(c) for c in n.children))

    return replace(t, children=tuple(rec(c) for c in t.children))


def check_ties(tree: Node) -> None:
    """Every tied weight names a weight of the same size declared (untied) in the tree."""
    declared = {w.name: w.size for _, n in walk(tree) for w in n.weights if w.tied_to is None}
    for _, n in walk(tree):
        for w in n.weights:
            if w.tied_to is not None and sympy.expand(declared.get(w.tied_to, 0) - w.size) != 0:
                raise ValueError(f"{n.name!r}: weight {w.name!r} is tied to {w.tied_to!r}, "
                                 "which the tree does not declare with the same size")


def _embedding(tree: Node | None) -> Any:
    if tree is None:
        return 0
    return sympy.Add(*[n.value for _, n in walk(tree) if n.is_leaf and n.role in EMBEDDING_ROLES])


@lru_cache(maxsize=None)
def symbolic(arch: Arch) -> Symbolic:
    """The symbolic parameter counts of a structure."""
    cost = structure(arch)
    check_ties(cost)
    tree = parameter_tree(cost)
    total = tree.total if tree is not None else 0
    used = parameter_tree(cost, active=True)
    return Symbolic(tree=tree, total=total, non_embedding=sympy.expand(total - _embedding(tree)),
                    active=used.total if used is not None else 0)


@dataclass(frozen=True)
class Params:
    tree: Node | None  # evaluated: an int at every leaf
    total: int
    non_embedding: int
    active: int

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "non_embedding": self.non_embedding, "active": self.active}


@by_identity
def parameters(config) -> Params:
    """The exact parameter counts of a config (anything with ``arch``, ``dims``, ``origin``),
    once per config object (a config is frozen): every convention and mode of one model has
    the same parameters."""
    s = symbolic(config.arch)
    reps = {sym: sympy.Integer(v) for sym, v in config.dims.items()}

    def value(expr: Any) -> int:
        r = as_expr(expr).xreplace(reps)
        if not r.is_Integer:
            raise ConfigError(f"parameters evaluate to {r}, not a whole number", origin=config.origin)
        return int(r)

    try:
        tree = evaluate(s.tree, config.dims) if s.tree is not None else None
    except ValueError as e:
        raise ConfigError(str(e), origin=config.origin) from None
    return Params(tree=tree, total=value(s.total), non_embedding=value(s.non_embedding),
                  active=value(s.active))
