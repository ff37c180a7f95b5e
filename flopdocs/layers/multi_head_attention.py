"""Multi-head attention: projections, one attention per head, output (seed In [9])."""
from ..ops import matmul
from ..symbols import d_model, l, n_heads
from ..tree import repeat
from . import layer
from .scaled_dot_product_attention import scaled_dot_product_attention


@layer(
    "MultiHeadAttention",
    example=lambda: (l, l, d_model / n_heads, d_model / n_heads, d_model, n_heads),
    summary="Project the input to queries, keys and values, attend in every head, project back.",
    computation=(
        r"Q = X W_Q: (n_q \times d_{model})(d_{model} \times d_k n_{heads})",
        r"K = X W_K: (n_k \times d_{model})(d_{model} \times d_k n_{heads})",
        r"V = X W_V: (n_k \times d_{model})(d_{model} \times d_v n_{heads})",
        r"\mathrm{head}_i = \mathrm{Attention}(Q_i, K_i, V_i), \quad i = 1 \ldots n_{heads}",
        r"\mathrm{Concat}(\mathrm{head}_1, \ldots) W_O: (n_q \times d_v n_{heads})(d_v n_{heads} \times d_{model})",
    ),
    notes=(
        "The FLOPs count is the same no matter the number of heads: with "
        "d_k = d_model / n_heads the heads split the projections' width, they do not add to it.",
        "Only the attention's elementwise steps (scale, mask, softmax) grow with n_heads: "
        "each head scores its own n_q × n_k matrix.",
    ),
)
def multi_head_attention(n_q, n_k, d_k, d_v, d_model, n_heads):
    return [
        matmul("Q * WQ", n_q, d_model, d_k * n_heads),
        matmul("K * WK", n_k, d_model, d_k * n_heads),
        matmul("V * WV", n_k, d_model, d_v * n_heads),
        repeat(scaled_dot_product_attention(n_q, n_k, d_k, d_v), n_heads),
        matmul("* WO", n_q, d_v * n_heads, d_model),
    ]
