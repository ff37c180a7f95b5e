"""Parameter counts: a tree per model with the cost tree's node names, exact ints.

Each layer module has a ``*_params`` function beside its cost function (same node and
leaf names: 'Q * WQ' is W_Q's d_model × d_k·n_heads entries, '+ b1' the bias's d_ff);
this module assembles them for a config's :class:`~flopdocs.arch.Arch` and evaluates
them.  Layers without parameters (attention scores, softmax, residuals, rotary
embedding) do not appear.

- ``total``: every parameter, a tied LM head counted once (in Embeddings);
- ``non_embedding``: without the word and position tables and the LM head (Kaplan et
  al. 2020's N: the blocks and norms);
- ``active``: the parameters one token passes through: with n_experts, k of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .arch import Arch
from .config import Config, ConfigError
from .layers.encoder_decoder import encoder_decoder_params
from .layers.transformer import transformer_params
from .symbols import (d_ff, d_model, l, l_src, l_tgt, n_decoder_layers, n_encoder_layers,
                      n_heads, n_layers, n_vocab)
from .tree import Node, evaluate, walk

#: Nodes counted as embeddings (besides every node of layer 'Embeddings').
EMBEDDING_LEAVES = ("ProjectToVocab",)


@lru_cache(maxsize=None)
def symbolic(arch: Arch, active: bool = False) -> Node:
    """The symbolic parameter tree of a structure (``active``: count k experts, not all)."""
    if arch.architecture == "encoder-decoder":
        return encoder_decoder_params(l_src, l_tgt, d_model, d_ff, n_vocab, n_encoder_layers,
                                      n_decoder_layers, n_heads, arch=arch, active=active)
    return transformer_params(l, d_model, d_ff, n_vocab, n_layers, n_heads, arch, active)


def build(config: Config) -> Node:
    return symbolic(config.arch)


def embedding_total(tree: Node) -> int:
    """The parameters in word/position tables and the LM head of an evaluated tree."""
    out = 0
    for _, n in walk(tree):
        if n.layer == "Embeddings" or (n.is_leaf and n.name in EMBEDDING_LEAVES):
            out += n.total
    return out


@dataclass(frozen=True)
class Params:
    tree: Node  # evaluated: an int at every leaf
    total: int
    non_embedding: int
    active: int

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "non_embedding": self.non_embedding, "active": self.active}


def count(config: Config) -> Params:
    """The exact parameter counts of a config."""
    arch = config.arch
    try:
        tree = evaluate(symbolic(arch), config.dims)
        active = evaluate(symbolic(arch, True), config.dims).total if arch.moe else tree.total
    except ValueError as e:
        raise ConfigError(f"{config.origin}: {e}") from None
    return Params(tree=tree, total=tree.total, non_embedding=tree.total - embedding_total(tree),
                  active=active)
