"""Scaled dot-product attention for one head (seed In [7]; Vaswani et al. 2017, eq. 1)."""
from ..ops import elementwise, matmul
from ..symbols import d_k, l
from . import layer
from .softmax import softmax


@layer(
    "ScaledDotProductAttention",
    example=lambda: (l, l, d_k, d_k),
    summary=r"One head's attention: softmax(Q Kᵀ / √d_k + mask) V.",
    computation=(
        r"S = Q K^{T}: (n_q \times d_k)(d_k \times n_k)",
        r"S / \sqrt{d_k} + M: (n_q \times n_k)",
        r"P = \mathrm{softmax}(S): (n_q \times n_k)",
        r"P V: (n_q \times n_k)(n_k \times d_v)",
    ),
    notes=("The scores cost a full n_q × n_k matrix: the causal mask is added, not "
           "exploited, so masked entries are computed and counted.",),
)
def scaled_dot_product_attention(n_q, n_k, d_k, d_v):
    return [
        matmul("Q * K.T", n_q, d_k, n_k),
        elementwise("/ sqrt(d_k)", n_q, n_k),
        elementwise("+ mask", n_q, n_k),
        softmax(n_q, n_k),
        matmul("* V", n_q, n_k, d_v),
    ]
