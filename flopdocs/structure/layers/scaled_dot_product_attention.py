"""Scaled dot-product attention for one head (seed In [7]; Vaswani et al. 2017, eq. 1)."""
from flopdocs.structure.ops import elementwise, matmul, weight
from flopdocs.config.symbols import d_k, l
from flopdocs.structure.tree import Node
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.softmax import softmax


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
           "The penalty matrix is precomputed and has no parameters.",
           "With position: relative (Transformer-XL, Dai et al. 2019, section 3.3; Gopher, "
           "Chinchilla) each head also scores its queries against the projected relative "
           "position encodings R: 'Q * R.T' (a second n_q × d_k × n_k product), the two "
           "learned biases u and v added to the queries ('+ u, + v': 2 · n_q · d_k) and "
           "the position scores added to the content scores ('+ position scores'); the "
           "relative shift that aligns them is a gather (no FLOPs).",
           "With position: t5-relative (T5, Raffel et al. 2020, section 2.1) a self-attention "
           "head adds its entry of the stack's bias table to every score ('+ position bias'; "
           "the table is looked up once per stack, in RelativePositionBias), and no head "
           "divides by √d_k: T5 folds that scale into the initialisation of W_Q, so the "
           "'/ sqrt(d_k)' step is absent, in cross-attention too.",
           "Config key attn_softcap (Gemma 2's attn_logit_softcapping c): each score becomes "
           "c·tanh(s / c) before the mask, a divide, a tanh and a multiply: '/ c, * c' "
           "(2 per score) and 'tanh' (1 per score); no parameters."),
)
def scaled_dot_product_attention(n_q, n_k, d_k, d_v, *, mask=True, alibi=False, relative=False,
                                 scale=True, bias=False, softcap=False):
    return score_steps(n_q, n_k, d_k, d_v, mask=mask, alibi=alibi, relative=relative,
                       scale=scale, bias=bias, softcap=softcap)


def score_steps(n_q, n_k, d_k, d_v, *, mask=True, alibi=False, relative=False, scale=True,
                bias=False, softcap=False) -> list[Node]:
    """The leaves of one head's attention when each query scores ``n_k`` keys.

    ``scale``: divide the scores by √d_k (T5 does not); ``bias``: add T5's position bias."""
    scores = "attention-scores"
    steps = [matmul("Q * K.T", n_q, d_k, n_k, role=scores)]
    if relative:
        steps += [
            elementwise("+ u, + v", n_q, d_k, per_element=2, role=scores,
                        note="Transformer-XL's learned biases: q + u for the content scores, q + v for the position scores.",
                        weights=(weight("u", d_k), weight("v", d_k))),
            matmul("Q * R.T", n_q, d_k, n_k, role=scores),
            elementwise("+ position scores", n_q, n_k, role=scores,
                        note="Add the (shifted) position scores to the content scores."),
        ]
    if scale:
        steps.append(elementwise("/ sqrt(d_k)", n_q, n_k, role=scores))
    if softcap:
        steps += [elementwise("/ c, * c", n_q, n_k, per_element=2, role=scores,
                              note="Gemma 2's soft-capping c·tanh(s / c): a divide and a multiply per score."),
                  elementwise("tanh", n_q, n_k, role=scores, kind="transcendental",
                              note="Gemma 2's soft-capping: one tanh per score.")]
    if bias:
        steps.append(elementwise("+ position bias", n_q, n_k, role=scores,
                                 note="T5: add the head's bias for each (query, key) distance bucket."))
    if mask:
        steps.append(elementwise("+ mask", n_q, n_k, role=scores))
    if alibi:
        steps.append(elementwise("+ alibi", n_q, n_k, role=scores,
                                 note="ALiBi: add the head's linear distance penalty to each score."))
    # the probabilities are kept by the softmax (its output); "* V" keeps the values
    steps += [softmax(n_q, n_k), matmul("* V", n_q, n_k, d_v, role="attention-values", saves=n_k * d_v)]
    return steps
