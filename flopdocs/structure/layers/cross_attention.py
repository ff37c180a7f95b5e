"""Cross-attention (Vaswani et al. 2017, section 3.2.3): decoder queries over the encoder's output."""
from flopdocs.config.symbols import d_model, l_src, l_tgt, n_heads
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.multi_head_attention import attention_steps


@layer(
    "CrossAttention",
    example=lambda: (l_tgt, l_src, d_model / n_heads, d_model / n_heads, d_model, n_heads),
    summary="Each decoder position attends over the whole encoder output: queries from the target, keys and values from the source.",
    computation=(
        r"Q = X_{dec} W_Q: (l_{tgt} \times d_{model})(d_{model} \times d_k n_{heads})",
        r"K = X_{enc} W_K: (l_{src} \times d_{model})(d_{model} \times d_k n_{heads})",
        r"V = X_{enc} W_V: (l_{src} \times d_{model})(d_{model} \times d_v n_{heads})",
        r"\mathrm{head}_i = \mathrm{softmax}(Q_i K_i^{T} / \sqrt{d_k}) V_i: (l_{tgt} \times l_{src})",
        r"\mathrm{Concat}(\mathrm{head}_1, \ldots) W_O: (l_{tgt} \times d_v n_{heads})(d_v n_{heads} \times d_{model})",
    ),
    notes=(
        "Used in every decoder block of architecture: encoder-decoder (config keys "
        "l_src, l_tgt, n_encoder_layers, n_decoder_layers; see EncoderDecoder). It is "
        "MultiHeadAttention with n_q = l_tgt queries and n_k = l_src keys, and no mask: "
        "every target position may see every source position.",
        "K and V are projections of the encoder's final output: counted once per decoder "
        "layer (they differ per layer, each layer having its own W_K, W_V), l_src rows each. "
        "With n_kv_heads, K and V have n_kv heads, as in GroupedQueryAttention.",
        "Parameters: W_Q, W_K, W_V, W_O and the biases when attn_bias / attn_out_bias are set, "
        "as for self-attention.",
        "With position: t5-relative (T5) the scores are not divided by √d_k and get no position "
        "bias (T5's cross-attention has no bias table; Hugging Face adds a zero bias, not counted).",
        "A decode step (modes decode and generate) reads K and V from the cache the prefill "
        "filled (Hugging Face's EncoderDecoderCache: 2 · l_src · n_kv · d_head numbers per "
        "decoder layer): its K and V projections are not run again, only Q's, the scores over "
        "l_src keys and W_O.",
    ),
)
def cross_attention(n_q, n_k, d_k, d_v, d_model, n_heads, n_kv_heads=None, *,
                    qkv_bias=False, out_bias=False, scale=True, cached=False):
    """``cached``: K and V come from the cache (a decode step), not projected."""
    return attention_steps(n_q, n_k, d_k, d_v, d_model, n_heads, n_kv_heads,
                           qkv_bias=qkv_bias, out_bias=out_bias, mask=False, scale=scale,
                           cached_kv=cached)
