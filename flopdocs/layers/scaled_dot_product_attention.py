"""Scaled dot-product attention for one head (seed In [7]; Vaswani et al. 2017, eq. 1)."""
from ..ops import elementwise, matmul
from ..symbols import d_k, l
from ..tree import Node
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
           "exploited, so masked entries are computed and counted.",
           "Encoder self-attention and cross-attention (architecture encoder or "
           "encoder-decoder) are bidirectional: no causal mask is added, so the '+ mask' "
           "step is absent (a padding mask, when batches are padded, is not counted).",
           "With position: alibi (Press et al. 2022) each score gets a fixed, per-head "
           "linear distance penalty m·(j − i): one more addition per score, '+ alibi'. "
           "The penalty matrix is precomputed and has no parameters."),
)
def scaled_dot_product_attention(n_q, n_k, d_k, d_v, *, mask=True, alibi=False):
    return score_steps(n_q, n_k, d_k, d_v, mask=mask, alibi=alibi)


def score_steps(n_q, n_k, d_k, d_v, *, mask=True, alibi=False) -> list[Node]:
    """The leaves of one head's attention when each query scores ``n_k`` keys."""
    steps = [matmul("Q * K.T", n_q, d_k, n_k), elementwise("/ sqrt(d_k)", n_q, n_k)]
    if mask:
        steps.append(elementwise("+ mask", n_q, n_k))
    if alibi:
        steps.append(elementwise("+ alibi", n_q, n_k,
                                 note="ALiBi: add the head's linear distance penalty to each score."))
    steps += [softmax(n_q, n_k), matmul("* V", n_q, n_k, d_v)]
    return steps
