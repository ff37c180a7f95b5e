"""A config structure's tree: every leaf's true count, before any convention counts it.

:func:`structure` is the one builder of a structure's symbolic tree (a decoder or encoder
stack, or an encoder-decoder); conventions (:mod:`flopdocs.conventions.rules`) recount its
leaves, parameters (:mod:`flopdocs.structure.params`) walk its weights.  Nothing here knows a
convention or a mode.
"""
from __future__ import annotations

from functools import lru_cache

from flopdocs.config.arch import SEED, Arch
from flopdocs.config.symbols import (d_ff, d_model, keys as cache_keys, l, l_src, l_tgt,
                                     n_decoder_layers, n_encoder_layers, n_heads, n_layers, n_vocab)
from flopdocs.structure.layers.encoder_decoder import encoder_decoder
from flopdocs.structure.layers.transformer import transformer
from flopdocs.structure.tree import Node


def structure(arch: Arch = SEED, decode: bool = False) -> Node:
    """The symbolic tree of one forward pass over one sequence: every leaf's true count.

    ``decode``: one step of generation: ``l`` new tokens (1) whose queries score the
    ``keys`` cached keys (:data:`flopdocs.config.symbols.keys`); an encoder-decoder's step
    is its decoder alone, its cross-attention over the cached K and V of ``l_src`` tokens.  Built once per structure
    (``structure(a)`` and ``structure(a, False)`` are the same tree).
    """
    return _structure(arch, decode)


@lru_cache(maxsize=None)
def _structure(arch: Arch, decode: bool) -> Node:
    if arch.encoder_decoder:  # a decode step: the decoder alone over ``l`` new tokens
        return encoder_decoder(l_src, l if decode else l_tgt, d_model, d_ff, n_vocab, n_encoder_layers,
                               n_decoder_layers, n_heads, arch=arch, keys=cache_keys if decode else None)
    return transformer(l, d_model, d_ff, n_vocab, n_layers, n_heads, arch=arch,
                       keys=cache_keys if decode else None)
