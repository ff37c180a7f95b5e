"""The ``seed`` convention: the origin notebook's counts, reproduced exactly.

Its keys, nesting and arithmetic are a contract (see the notebook's In [3]-[18]):
2 FLOPs per multiply-add; the embedding addition, scaling, mask, three softmax steps,
LayerNorm as the seed writes it, residuals and the LM head are counted; biases of
the FFN once per layer, not per token; no backward pass.
"""
from __future__ import annotations

from functools import lru_cache

from ..arch import SEED, Arch
from ..config import Config
from ..layers.encoder_decoder import encoder_decoder
from ..layers.transformer import transformer
from ..symbols import (d_ff, d_model, l, l_src, l_tgt, n_decoder_layers, n_encoder_layers,
                       n_heads, n_layers, n_vocab)
from ..tree import Node

NAME = "seed"
SUMMARY = (
    "The seed notebook's convention: a matrix product (m×k)(k×n) costs 2·m·k·n FLOPs "
    "(one multiply and one add per multiply-add); elementwise additions, the attention "
    "scaling and mask, the softmax's subtraction, exponential and sum, LayerNorm's "
    "elementwise steps and the two residual additions per block are counted once per "
    "element; LayerNorm's per-row steps (the divisions, μ², the subtraction, X − μ, the "
    "square root) d_model times, as the seed does; the FFN biases once per layer; lookups, "
    "activations, the softmax's final division and the backward pass are not counted."
)
# The architecture knobs (issue 4) add layers the seed does not have; they are counted
# by the same rules, each layer's notes saying how (e.g. RMSNorm row by row, biases of
# new layers once per token).  With every knob at its default, build() is the seed.



@lru_cache(maxsize=None)
def _symbolic(arch: Arch) -> Node:
    if arch.architecture == "encoder-decoder":
        return encoder_decoder(l_src, l_tgt, d_model, d_ff, n_vocab, n_encoder_layers,
                               n_decoder_layers, n_heads, arch=arch)
    return transformer(l, d_model, d_ff, n_vocab, n_layers, n_heads, arch=arch)


def build(config: Config | None = None) -> Node:
    """The symbolic cost tree of one forward pass over one sequence.

    The tree depends only on the config's structure (:attr:`Config.arch`); it is cached
    per structure, and its numeric knobs are symbols evaluated through ``Config.dims``.
    """
    return _symbolic(SEED if config is None else config.arch)
