"""A pre-norm transformer block: attention and FFN sub-layers with residuals (seed In [33]).

The helpers here choose each sub-layer from the config's :class:`~flopdocs.config.arch.Arch`
(norm, attention, FFN); with the default ``Arch`` the block is the seed's.
"""
from flopdocs.config.arch import SEED, Arch
from flopdocs.structure.ops import elementwise
from flopdocs.config.symbols import (d_ff, d_model, d_nope, d_rope, d_rot, d_v_mla, experts_per_token, l,
                                     n_experts, n_heads, r_kv, r_q)
from flopdocs.structure.tree import Node, rename, repeat
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.grouped_query_attention import grouped_query_attention
from flopdocs.structure.layers.gated_ffn import gated_ffn
from flopdocs.structure.layers.layer_norm import layer_norm
from flopdocs.structure.layers.moe import mixture_of_experts
from flopdocs.structure.layers.multi_head_latent_attention import multi_head_latent_attention
from flopdocs.structure.layers.multi_head_attention import multi_head_attention
from flopdocs.structure.layers.position_wise_ffn import position_wise_ffn
from flopdocs.structure.layers.rms_norm import rms_norm


@layer(
    "Block",
    example=lambda: (l, d_model, d_ff, n_heads),
    summary="X + MultiHeadAttention(LayerNorm(X)), then X + PositionWiseFFN(LayerNorm(X)).",
    computation=(
        r"X \leftarrow X + \mathrm{MultiHeadAttention}(\mathrm{LayerNorm}(X)): (l \times d_{model})",
        r"X \leftarrow X + \mathrm{PositionWiseFFN}(\mathrm{LayerNorm}(X)): (l \times d_{model})",
    ),
    notes=("Each block has two LayerNorms and two residual additions.",
           r"Attention uses d_k = d_v = d_model / n_heads.",
           "The architecture keys swap the sub-layers: norm: rmsnorm makes the norms "
           "RMSNorms (the node 'RMSNorms'); n_kv_heads makes the attention "
           "GroupedQueryAttention; ffn: swiglu / geglu makes the FFN a GatedFFN; "
           "n_experts makes it a MixtureOfExperts; d_head sets d_k = d_v.",
           "With architecture: encoder (BERT) the attention is bidirectional (no mask). "
           "BERT normalises after each sub-layer and after the embeddings, with no final "
           "norm; this block normalises before. Both have two norms per block and one "
           "more per stack, so the counts and parameters are the same.",
           "Config key block: parallel (GPT-NeoX use_parallel_residual, Falcon "
           "new_decoder_architecture) computes X + Attention(Norm₁(X)) + FFN(Norm₂(X)): the "
           "same two norms and two additions, the sub-layers reading the same input; "
           "parallel-one-norm (GPT-J, Falcon 7B, Phi, Cohere, PaLM) feeds both from one norm: "
           "one norm per block, its count and parameters once.",
           "Config key norm_position: post (OLMo 2) normalises each sub-layer's output inside "
           "the residual, X + Norm(f(X)), with no norm before it: the same two norms, so the "
           "same count; sandwich (Gemma 2, Gemma 3) has both, X + Norm(f(Norm(X))): four "
           "norms per block ('RMSNorms' × 4).",
           "Config key residual_scale (Granite's residual_multiplier): each sub-layer's output "
           "is multiplied by a constant before its addition, '* residual_multiplier', 2 · l · d_model."),
)
def block(l, d_model, d_ff, n_heads, *, arch: Arch = SEED, mask=True, keys=None):
    """``keys``: each query scores that many keys (a KV cache) instead of the l new ones."""
    return [
        norms(l, d_model, arch.norms_per_block, arch),
        elementwise("ResidualConnections", l, d_model, per_element=2, role="residual", inputs=4, outputs=2,
                    note="Two residual additions per block."),
        *([elementwise("* residual_multiplier", l, d_model, per_element=2, role="residual",
                       note="Granite: each sub-layer's output times residual_multiplier before its addition.")]
          if arch.residual_scale else []),
        self_attention(l, d_model, n_heads, arch, mask=mask, keys=keys),
        ffn(l, d_model, d_ff, arch),
    ]


# -- the sub-layers an Arch selects ------------------------------------------------------

def norm(l, d_model, arch: Arch) -> Node:
    if arch.norm == "rmsnorm":
        return rms_norm(l, d_model)
    return layer_norm(l, d_model, params=arch.norm_params)


def norms(l, d_model, count, arch: Arch) -> Node:
    """The block's ``count`` norms, repeated: the seed's 'LayerNorms' (or 'RMSNorms')."""
    return rename(repeat(norm(l, d_model, arch), count), arch.norm_layer + "s")


def final_norm_name(arch: Arch) -> str:
    return arch.norm_layer + "_Final"


def _attention_options(arch: Arch) -> dict:
    return dict(qkv_bias=arch.attn_bias, out_bias=arch.attn_out_bias,
                relative=arch.position == "relative", scale=arch.scaled_scores)


def self_attention(l, d_model, n_heads, arch: Arch, *, mask=True, keys=None) -> Node:
    if arch.mla:
        return multi_head_latent_attention(l, l, d_model, n_heads, r_q if arch.q_lora else None, r_kv,
                                           d_nope, d_rope, d_v_mla, mask=mask, keys=keys,
                                           window=arch.windowed, absorb=arch.mla_absorb)
    d_k = arch.d_k(d_model, n_heads)
    options = dict(_attention_options(arch), rope=arch.position == "rope", sinks=arch.sinks,
                   window=arch.windowed, alibi=arch.position == "alibi", mask=mask, keys=keys,
                   bias=arch.t5_bias)
    if arch.qk_norm != "none":
        options["qk_norm"] = dict(kind=arch.qk_norm, norm=arch.norm, params=arch.norm_params)
    if arch.partial_rotary:
        options["rotary_width"] = d_rot
    if arch.attn_softcap:
        options["softcap"] = True
    if arch.gqa:
        return grouped_query_attention(l, l, d_k, d_k, d_model, n_heads, arch.kv_heads, **options)
    return multi_head_attention(l, l, d_k, d_k, d_model, n_heads, **options)


def ffn(l, d_model, d_ff, arch: Arch) -> Node:
    if arch.moe:
        return mixture_of_experts(l, d_model, arch.d_expert, n_experts, experts_per_token, arch=arch)
    if arch.gated:
        return gated_ffn(l, d_model, d_ff, d_model, bias=arch.ffn_bias)
    return position_wise_ffn(l, d_model, d_ff, d_model, bias=arch.ffn_bias, activation=arch.ffn)
