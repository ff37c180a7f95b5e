"""Multi-head attention: projections, one attention per head, output (seed In [9]).

:func:`attention_steps` is shared by the attention layers (multi-head, grouped-query,
cross-attention): their trees differ only in which options they pass.
"""
from flopdocs.structure.ops import elementwise, matmul, weight
from flopdocs.config.symbols import d_model, l, n_heads
from flopdocs.structure.tree import Node, repeat
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.qk_norm import qk_norm as qk_norm_layer
from flopdocs.structure.layers.rotary_embedding import rotary_embedding
from flopdocs.structure.layers.scaled_dot_product_attention import scaled_dot_product_attention
from flopdocs.structure.layers.windowed_attention import windowed_attention

BIAS_NOTE = "Added once per token: one add per element of the projection's output."


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
        "Config key d_head (an int ≥ 1, default d_model / n_heads): an explicit head width "
        "for models where n_heads · d_head ≠ d_model (PaLM's 256); d_k = d_v = d_head, and "
        "W_Q, W_K, W_V map d_model to n_heads · d_head, W_O maps it back.",
        "Config keys attn_bias (default false) and attn_out_bias (default: attn_bias): "
        "biases on the Q, K, V projections ('+ b_Q', '+ b_K', '+ b_V') and on W_O "
        "('+ b_O'), each added once per token (GPT-2 and BERT have all four; Qwen2 only "
        "the first three).",
        "Config key position: rope adds a RotaryEmbedding step after the projections; "
        "alibi adds '+ alibi' to every head's scores; relative (Transformer-XL) adds the "
        "projection 'R * W_R' of the relative position encodings (d_model × n_heads·d_k "
        "parameters per layer, plus the biases u and v) and the position scores in every "
        "head; window (< l) makes each head a WindowedAttention; t5-relative adds T5's "
        "'+ position bias' to every score and drops the '/ sqrt(d_k)' step.",
        "Config key attention_sinks (gpt-oss): '+ sinks', a learned logit per head (n_heads "
        "parameters) joined to every row of the scores as one more softmax column, dropped "
        "after the softmax: 2 FLOPs (its exponential, its add to the row's sum) per query per head.",
        "Config key qk_norm adds a QKNorm step after the projections; rotary_dim rotates "
        "only that many channels of each head (partial rotary); attn_softcap adds Gemma 2's "
        "soft-capping of every score.",
        "Parameters: W_Q, W_K, W_V (d_model × n_heads·d_k each), W_O (n_heads·d_v × d_model), "
        "and the biases when present.",
    ),
)
def multi_head_attention(n_q, n_k, d_k, d_v, d_model, n_heads, **options):
    return attention_steps(n_q, n_k, d_k, d_v, d_model, n_heads, None, **options)


def attention_steps(n_q, n_k, d_k, d_v, d_model, n_heads, n_kv_heads=None, *,
                    qkv_bias=False, out_bias=False, rope=False, window=False,
                    alibi=False, relative=False, mask=True, keys=None, scale=True,
                    bias=False, qk_norm=None, rotary_width=None, softcap=False,
                    sinks=False, cached_kv=False) -> list[Node]:
    """The children of an attention layer; ``n_kv_heads=None`` is ordinary multi-head.

    ``n_k`` rows are projected to keys and values; each query scores ``keys`` of them
    (default ``n_k``; a decode step projects its new token and scores the whole KV cache).
    ``window``: the heads are WindowedAttention.  ``qk_norm``: the QKNorm layer's options
    (kind, norm, params), or None; ``rotary_width``: the channels rope rotates (default d_k);
    ``softcap``: Gemma 2's c·tanh(s/c) on every score.  ``cached_kv``: K and V are read from
    a cache, not projected (an encoder-decoder's cross-attention in a decode step).
    ``scale``, ``bias``: see
    :func:`~flopdocs.structure.layers.scaled_dot_product_attention.score_steps` (T5).
    """
    scored = n_k if keys is None else keys
    kv = n_heads if n_kv_heads is None else n_kv_heads
    role = "attention-projection"

    def project(name, rows, width, w, keeps=None):
        steps = [matmul(name, rows, d_model, width, role=role, weights=weight(f"W_{w}", d_model, width),
                        saves=keeps)]
        if qkv_bias:
            steps.append(elementwise(f"+ b_{w}", rows, width, role=role, note=BIAS_NOTE,
                                     weights=weight(f"b_{w}", width)))
        return steps

    # K and V project the same input (Q's too in self-attention): kept once, by the first
    steps = [*project("Q * WQ", n_q, d_k * n_heads, "Q")]
    if not cached_kv:
        steps += [*project("K * WK", n_k, d_k * kv, "K", 0 if n_k == n_q else None),
                  *project("V * WV", n_k, d_v * kv, "V", 0)]
    if qk_norm is not None:
        steps.append(qk_norm_layer(n_q, n_k, d_k, n_heads, kv, **qk_norm))
    if rope:
        steps.append(rotary_embedding(n_q, n_k, d_k if rotary_width is None else rotary_width, n_heads, kv))
    if relative:
        steps.append(matmul("R * W_R", scored, d_model, d_k * n_heads, role="position",
                            note="Project the sinusoidal encodings of the n_k relative distances.",
                            weights=weight("W_R", d_model, d_k * n_heads)))
    scores = dict(mask=mask, alibi=alibi, relative=relative, scale=scale, bias=bias)
    if softcap:
        scores["softcap"] = True
    head = (windowed_attention if window else scaled_dot_product_attention)(n_q, scored, d_k, d_v, **scores)
    steps.append(repeat(head, n_heads))
    if sinks:
        steps.append(elementwise("+ sinks", n_q, n_heads, per_element=2, role="attention-softmax",
                                 note="gpt-oss: each head's sink logit, one more softmax column per "
                                      "query row (its exponential and its add to the sum), then dropped.",
                                 weights=weight("sinks", n_heads)))
    steps.append(matmul("* WO", n_q, d_v * n_heads, d_model, role=role,
                        weights=weight("W_O", d_v * n_heads, d_model)))
    if out_bias:
        steps.append(elementwise("+ b_O", n_q, d_model, role=role, note=BIAS_NOTE,
                                 weights=weight("b_O", d_model)))
    return steps
