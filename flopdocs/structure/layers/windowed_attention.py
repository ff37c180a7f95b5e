"""Sliding-window attention for one head: each query may see at most ``window`` keys.

Mistral 7B (Jiang et al. 2023, section 2) and Gemma 2: query i attends to keys
i - w + 1 .. i.  The layer computes what a masked dense kernel computes (every n_q × n_k
pair, the band's mask added, not exploited); how many of those pairs a convention
counts is the scores rule's business (``--scores exact`` counts only the band).
"""
from flopdocs.config.symbols import d_k, l
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.scaled_dot_product_attention import score_steps


@layer(
    "WindowedAttention",
    example=lambda: (l, l, d_k, d_k),
    summary=r"One head's attention under a sliding window: each query may see the w = window keys before it.",
    computation=(
        r"S = Q K^{T}: (n_q \times d_k)(d_k \times n_k)",
        r"S / \sqrt{d_k} + M_{window}: (n_q \times n_k)",
        r"P = \mathrm{softmax}(S): (n_q \times n_k)",
        r"P V: (n_q \times n_k)(n_k \times d_v)",
    ),
    notes=(
        "Config key window (an int ≥ 1, default: none). With window < l each head is a "
        "WindowedAttention; with window ≥ l the window never binds and the head is the "
        "seed's ScaledDotProductAttention, unchanged.",
        "Counted as a masked dense kernel computes it (--scores dense, the default, and "
        "what PyTorch's FlopCounterMode counts for Hugging Face's Mistral): every one of "
        "the n_q × n_k scores, the band's mask added to all of them. --scores exact "
        "counts only the pairs the band admits, Σᵢ min(i, w) = w(w + 1)/2 + (l − w)·w "
        "per head; --scores half counts l²/2 (Megatron-LM's convention).",
        "Before flopdocs 0.2 a window counted l·min(l, w) scores: neither what a dense "
        "kernel computes nor the band; that count is gone.",
        "Sliding-window attention has no parameters of its own; the KV cache it needs "
        "at inference holds min(context, w) positions instead of the whole context.",
    ),
)
def windowed_attention(n_q, n_k, d_k, d_v, **scores):
    return score_steps(n_q, n_k, d_k, d_v, **scores)
