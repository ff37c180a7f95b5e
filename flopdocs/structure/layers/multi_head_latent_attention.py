"""Multi-head latent attention (DeepSeek-V2, Liu et al. 2024, section 2.1; DeepSeek-V3; Kimi K2).

Queries (optionally) and keys and values go through low-rank latents; each head's query
and key are a ``d_nope`` part from the latent and a ``d_rope`` rotary part, the rotary key
shared by every head.  Counted as Hugging Face's DeepseekV3Attention computes it; the
weight-absorbed form (``mla_absorb``) is an option.  Nothing here knows a config.
"""
from flopdocs.config.symbols import d_model, d_nope, d_rope, d_v_mla, l, n_heads, r_kv, r_q
from flopdocs.structure.ops import matmul, weight
from flopdocs.structure.tree import Node, rename, repeat
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.rms_norm import rms_norm
from flopdocs.structure.layers.rotary_embedding import rotary_embedding
from flopdocs.structure.layers.scaled_dot_product_attention import scaled_dot_product_attention
from flopdocs.structure.layers.windowed_attention import windowed_attention

_ROLE = "attention-projection"


@layer(
    "MultiHeadLatentAttention",
    example=lambda: (l, l, d_model, n_heads, r_q, r_kv, d_nope, d_rope, d_v_mla),
    summary="Attention through low-rank latents: the KV cache holds one r_kv-wide latent and one "
            "shared rotary key per token, not n_heads keys and values.",
    computation=(
        r"C_Q = \mathrm{RMSNorm}(X W_{DQ}): (l \times d_{model})(d_{model} \times r_q)",
        r"Q = C_Q W_{UQ}: (l \times r_q)(r_q \times n_{heads}(d_{nope} + d_{rope}))",
        r"[C_{KV}, K_R] = X W_{DKV}: (l \times d_{model})(d_{model} \times (r_{kv} + d_{rope})), "
        r"\ C_{KV} \leftarrow \mathrm{RMSNorm}(C_{KV})",
        r"[K_{nope}, V] = C_{KV} W_{UKV}: (n_k \times r_{kv})(r_{kv} \times n_{heads}(d_{nope} + d_v))",
        r"\mathrm{RoPE}(Q_R),\ \mathrm{RoPE}(K_R): K_R \text{ one head, shared}",
        r"\mathrm{head}_i = \mathrm{softmax}([Q_{nope}, Q_R]_i [K_{nope}, K_R]_i^{T} / \sqrt{d_{nope} + d_{rope}}) V_i",
        r"\mathrm{Concat}(\mathrm{head}_1, \ldots) W_O: (l \times n_{heads} d_v)(n_{heads} d_v \times d_{model})",
    ),
    notes=(
        "Config keys kv_lora_rank (r_kv; giving it makes the attention MLA), q_lora_rank (r_q; "
        "none: one W_Q of d_model × n_heads(d_nope + d_rope), as DeepSeek-V2-Lite), "
        "qk_nope_head_dim (d_nope), qk_rope_head_dim (d_rope), v_head_dim (d_v). n_kv_heads "
        "and d_head do not apply.",
        "Counted as Hugging Face's DeepseekV3Attention computes it: the latents' RMSNorms "
        "(γ of r_q and r_kv), rotary on the query's d_rope part of every head and on the one "
        "shared rotary key, every head scoring d_nope + d_rope wide keys and d_v wide values. "
        "Its KV cache holds the normalised latent and the rotary key, r_kv + d_rope numbers "
        "per token per layer, and W_UKV is applied after the cache is read: a decode step "
        "projects every cached position again (n_k = the keys scored).",
        "Config key mla_absorb (default false): the weight-absorbed form (DeepSeek-V2, "
        "appendix): W_UK is folded into the query ('Q_nope * W_UK', per head d_nope × r_kv) "
        "and W_UV applied after the attention ('* W_UV', per head r_kv × d_v), so each head "
        "scores r_kv + d_rope wide keys and reads r_kv wide values straight from the cache, "
        "and nothing is projected per cached position. Parameters are the same (W_UKV is "
        "W_UK and W_UV side by side); the forward FLOPs grow (scores over r_kv + d_rope), "
        "a decode step's no longer grow with n_keys · r_kv · n_heads(d_nope + d_v).",
        "Parameters: W_DQ, γ_q, W_UQ (or W_Q), W_DKV, γ_kv, W_UKV (or W_UK, W_UV), W_O. "
        "Biases (attention_bias) are not modelled: DeepSeek and Kimi have none.",
    ),
)
def multi_head_latent_attention(n_q, n_k, d_model, n_heads, r_q, r_kv, d_nope, d_rope, d_v, *,
                                mask=True, keys=None, window=False, absorb=False) -> list[Node]:
    """``r_q=None``: no query latent.  ``n_k`` new rows; each query scores ``keys`` (a decode
    step: the cache and itself; default ``n_k``)."""
    scored = n_k if keys is None else keys
    qk = d_nope + d_rope
    if r_q is None:
        steps = [matmul("X * W_Q", n_q, d_model, n_heads * qk, role=_ROLE,
                        weights=weight("W_Q", d_model, n_heads * qk))]
    else:
        steps = [matmul("X * W_DQ", n_q, d_model, r_q, role=_ROLE, weights=weight("W_DQ", d_model, r_q)),
                 rename(rms_norm(n_q, r_q), "RMSNorm_q"),
                 matmul("C_Q * W_UQ", n_q, r_q, n_heads * qk, role=_ROLE,
                        weights=weight("W_UQ", r_q, n_heads * qk))]
    steps += [matmul("X * W_DKV", n_k, d_model, r_kv + d_rope, role=_ROLE,
                     weights=weight("W_DKV", d_model, r_kv + d_rope)),
              rename(rms_norm(n_k, r_kv), "RMSNorm_kv"),
              rotary_embedding(n_q, n_k, d_rope, n_heads, 1)]
    head = windowed_attention if window else scaled_dot_product_attention
    if absorb:
        steps += [matmul("Q_nope * W_UK", n_q * n_heads, d_nope, r_kv, role=_ROLE,
                         note="Per head: the query's d_nope part through that head's W_UK.",
                         weights=weight("W_UK", r_kv, n_heads * d_nope)),
                  repeat(head(n_q, scored, r_kv + d_rope, r_kv, mask=mask), n_heads),
                  matmul("* W_UV", n_q * n_heads, r_kv, d_v, role=_ROLE,
                         note="Per head: the latent-wide output through that head's W_UV.",
                         weights=weight("W_UV", r_kv, n_heads * d_v))]
    else:
        steps += [matmul("C_KV * W_UKV", scored, r_kv, n_heads * (d_nope + d_v), role=_ROLE,
                         note="Every position's keys and values from its latent (a decode step: "
                              "every cached position, as Hugging Face reads the cache).",
                         weights=weight("W_UKV", r_kv, n_heads * (d_nope + d_v))),
                  repeat(head(n_q, scored, qk, d_v, mask=mask), n_heads)]
    steps.append(matmul("* WO", n_q, n_heads * d_v, d_model, role=_ROLE,
                        weights=weight("W_O", n_heads * d_v, d_model)))
    return steps
