"""Sliding-window attention for one head: each query scores at most ``window`` keys.

Mistral 7B (Jiang et al. 2023, section 2) and Gemma 2: query i attends to keys
i - w + 1 .. i.  Counted like the seed's full attention (the band's mask is added,
not exploited), with ``w = min(l, window)`` keys per query instead of ``l``.
"""
from ..symbols import d_k, l, window
from . import layer
from .scaled_dot_product_attention import score_steps


@layer(
    "WindowedAttention",
    example=lambda: (l, window, d_k, d_k),
    summary=r"One head's attention over a sliding window: each query scores w = min(l, window) keys.",
    computation=(
        r"S = Q K_{window}^{T}: (n_q \times d_k)(d_k \times w)",
        r"S / \sqrt{d_k} + M: (n_q \times w)",
        r"P = \mathrm{softmax}(S): (n_q \times w)",
        r"P V_{window}: (n_q \times w)(w \times d_v)",
    ),
    notes=(
        "Config key window (an int ≥ 1, default: none). Each query scores "
        "min(l, window) keys, so the score, scale, mask, softmax and value terms use "
        "w = min(l, window) where full attention uses l. The minimum is taken when the "
        "tree is built: with window ≥ l the model is full attention and its tree is the "
        "seed's ScaledDotProductAttention, unchanged; with window < l every occurrence "
        "of the keys' count is the symbol w, which is then exactly min(l, window). "
        "Keeping the branch out of the expression (rather than sympy's Min) keeps every "
        "count a polynomial, so it still collects by l and by w.",
        "As in the seed, the band's mask is added to a full n_q × w block, not exploited: "
        "the first w − 1 queries of a sequence, which have fewer than w keys before "
        "them, are counted at the full width w (the seed counts causal attention the "
        "same way, at the full width l).",
        "Sliding-window attention has no parameters of its own; the KV cache it needs "
        "at inference holds w positions instead of l.",
    ),
)
def windowed_attention(n_q, w, d_k, d_v, *, mask=True, alibi=False, relative=False):
    return score_steps(n_q, w, d_k, d_v, mask=mask, alibi=alibi, relative=relative)
