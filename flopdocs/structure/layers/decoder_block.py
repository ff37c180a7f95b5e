"""A decoder block of an encoder-decoder model: self-attention, cross-attention, FFN (Vaswani et al. 2017, fig. 1)."""
from flopdocs.config.arch import SEED, Arch
from flopdocs.structure.ops import elementwise
from flopdocs.config.symbols import d_ff, d_model, l_src, l_tgt, n_heads
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.block import ffn, norms, self_attention
from flopdocs.structure.layers.cross_attention import cross_attention


@layer(
    "DecoderBlock",
    example=lambda: (l_tgt, l_src, d_model, d_ff, n_heads),
    summary="X + SelfAttention(Norm(X)), X + CrossAttention(Norm(X), encoder output), X + FFN(Norm(X)).",
    computation=(
        r"X \leftarrow X + \mathrm{MultiHeadAttention}(\mathrm{LayerNorm}(X)): (l_{tgt} \times d_{model}), \text{ causal}",
        r"X \leftarrow X + \mathrm{CrossAttention}(\mathrm{LayerNorm}(X), X_{enc}): (l_{tgt} \times d_{model})",
        r"X \leftarrow X + \mathrm{PositionWiseFFN}(\mathrm{LayerNorm}(X)): (l_{tgt} \times d_{model})",
    ),
    notes=(
        "Config key architecture: encoder-decoder. Three sub-layers, so three norms and "
        "three residual additions per block (the seed's Block has two of each).",
        "Vaswani et al. normalise after each sub-layer (post-norm) with no final norm; "
        "this block normalises before (pre-norm, as tensor2tensor's later default and T5) "
        "with a final norm per stack: one norm more per stack, 2 · d_model parameters "
        "(gain and bias; d_model for an RMSNorm, which has no bias).",
        "The norm, attention and FFN kinds follow the same keys as Block (norm, "
        "n_kv_heads, d_head, ffn, ffn_bias, attn_bias, n_experts).",
    ),
)
def decoder_block(l_tgt, l_src, d_model, d_ff, n_heads, *, arch: Arch = SEED, keys=None):
    """``keys``: a decode step: the self-attention scores that many cached keys and the
    cross-attention reads its K and V from the cache."""
    d_k = arch.d_k(d_model, n_heads)
    return [
        norms(l_tgt, d_model, 3, arch),
        elementwise("ResidualConnections", l_tgt, d_model, per_element=3, role="residual", inputs=6, outputs=3,
                    note="Three residual additions per decoder block."),
        self_attention(l_tgt, d_model, n_heads, arch, keys=keys),
        cross_attention(l_tgt, l_src, d_k, d_k, d_model, n_heads, arch.kv_heads,
                        qkv_bias=arch.attn_bias, out_bias=arch.attn_out_bias,
                        scale=arch.scaled_scores, cached=keys is not None),
        ffn(l_tgt, d_model, d_ff, arch),
    ]
