"""A table's memory columns, compiled like its FLOPs (:mod:`flopdocs.counting.rows` adds
:func:`row_exprs` to each structure's program; :mod:`flopdocs.counting.sweep` turns a
row's outputs into the columns with :func:`row_columns`).  Equal to
:func:`flopdocs.counting.memory.footprint` row by row (tests/test_table.py compares every
row with the reference).  Nothing here prints.
"""
from __future__ import annotations

from flopdocs.config.arch import Arch
from flopdocs.counting.memory import (INDEX_BYTES, MOMENT_BYTES, Settings, adafactor_elements,
                                      dtype_bytes, master_bytes, symbolic_saved)


COLUMNS = ("memory_weights", "memory_gradients", "memory_optimizer", "memory_activations",
           "memory_kv_cache", "memory_total")


def row_exprs(arch: Arch, s: Settings, mode: str) -> list:
    """What a table row's memory needs beyond its parameters, per sequence and symbolic:
    the kept elements (activation dtype, fp32, indices), Adafactor's factored moment and
    the KV cache's numbers per position, and those it holds whatever the positions (an
    encoder-decoder's cross-attention K and V of l_src source tokens)."""
    from flopdocs.config import symbols as S

    training = mode.startswith("training")
    kept = symbolic_saved(arch, s.attention, s.recompute) if training else (0, 0, 0)
    factored = adafactor_elements(arch) if training and s.optimizer == "adafactor" else 0
    kv = kv_full = fixed = 0
    if mode in ("prefill", "decode", "generate"):
        heads = arch.kv_heads if arch.kv_heads is not None else S.n_heads
        # numbers one layer caches per position (as flopdocs.counting.modes.cached_per_token);
        # a window caps the local layers' positions, not a split stack's global ones; an
        # encoder-decoder's decoder layers cache the target and, once, the l_src source
        per_layer = S.r_kv + S.d_rope if arch.mla else 2 * heads * arch.d_k()
        split = any(key == "window_layers" for g in arch.groups for key, _ in g.traits)
        layers = S.n_decoder_layers if arch.encoder_decoder else S.n_layers
        local = S.n_local if split else layers
        kv, kv_full = local * per_layer, (layers - local) * per_layer
        fixed = layers * per_layer * S.l_src if arch.encoder_decoder else 0
    return [*kept, factored, kv, kv_full, fixed]


def row_present(mode: str) -> tuple[bool, ...]:
    """Which of :data:`COLUMNS` a mode has (the others are null in every row)."""
    training = mode.startswith("training")
    kv = mode in ("prefill", "decode", "generate")
    return (True, training, training, training, kv, True)


def row_columns(s: Settings, mode: str):
    """``(parameters, extras, N, positions, uncapped positions) -> the present COLUMNS values`` of a row
    (:func:`row_present`), integers throughout (as :func:`footprint`: each term rounded up
    once)."""
    training = mode.startswith("training")
    w = dtype_bytes(s.dtype)
    kvb = dtype_bytes(s.kv)
    wn, wd, kn, kd = w.numerator, w.denominator, kvb.numerator, kvb.denominator
    master = master_bytes(s)
    moments = MOMENT_BYTES[s.optimizer]
    inference = mode in ("prefill", "decode", "generate")

    def columns(p, extras, n, positions, full_positions=None):
        weights = -(-p * wn // wd)
        if training:
            kept, fp32, index, factored = extras[:4]
            act = n * (-(-kept * wn // wd) + 4 * fp32 + INDEX_BYTES * index)
            opt = (master + moments) * p + 4 * factored
            return weights, weights, opt, act, 2 * weights + opt + act
        if inference:
            held = extras[4] * positions + (extras[5] * full_positions if extras[5] else 0) + extras[6]
            kv = -(-held * n * kn // kd)
            return weights, kv, weights + kv
        return weights, weights

    return columns
