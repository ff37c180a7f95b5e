"""Query-key normalisation: a norm on q and k after their projections, before the scores.

Qwen3 and Gemma 3 normalise each head's d_head channels with one γ shared by the heads;
Cohere and StableLM normalise per head with a γ per head; OLMo 2 normalises the whole
n_heads·d_head width of q (and n_kv·d_head of k) at once.  The norm is the config's
``norm`` kind.  Nothing here chooses the kind from a config (the block does).
"""
from flopdocs.config.symbols import d_head, l, n_heads, n_kv_heads
from flopdocs.structure.tree import rename
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.layer_norm import layer_norm
from flopdocs.structure.layers.rms_norm import rms_norm


@layer(
    "QKNorm",
    example=lambda: (l, l, d_head, n_heads, n_kv_heads),
    summary="Normalise every query and key (per head, or over the full width) before scoring them.",
    computation=(
        r"q \leftarrow \mathrm{Norm}(q): (n_q n_{heads} \times d_k) \text{ per head, or } (n_q \times n_{heads} d_k)",
        r"k \leftarrow \mathrm{Norm}(k): (n_k n_{kv} \times d_k) \text{ per head, or } (n_k \times n_{kv} d_k)",
    ),
    notes=(
        "Config key qk_norm: head (Qwen3, Gemma 3: q_norm and k_norm of d_head each, one γ "
        "shared by every head), heads (Cohere, StableLM: a γ per head, n_heads·d_head for q "
        "and n_kv·d_head for k), width (OLMo 2: one norm over the n_heads·d_head width of q "
        "and the n_kv·d_head of k, γ of those sizes). Default none: no step.",
        "The norm is the kind the config's norm key says (RMSNorm for Qwen3, Gemma 3, "
        "OLMo 2; LayerNorm without β for Cohere); its count is that layer's, over the rows "
        "and width above. Per head and over the width differ only in the per-row steps "
        "(n_q·n_heads rows against n_q rows); the per-element steps are the same.",
        "Applied after the projections (and their biases), before the rotary embedding. "
        "In a decode step only the new token's q and k are normalised; cached keys were "
        "normalised when they were made.",
    ),
)
def qk_norm(n_q, n_k, d_k, n_heads, n_kv_heads, *, kind="head", norm="rmsnorm", params="gamma-beta"):
    def one(rows, heads):
        if kind == "width":
            m, n, width = rows, heads * d_k, None
        else:
            m, n, width = rows * heads, d_k, heads * d_k if kind == "heads" else None
        if norm == "rmsnorm":
            return rms_norm(m, n, width=width)
        return layer_norm(m, n, params=params, width=width)

    return [rename(one(n_q, n_heads), "q_norm"), rename(one(n_k, n_kv_heads), "k_norm")]
