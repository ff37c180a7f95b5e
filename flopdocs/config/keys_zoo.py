"""The config keys of the 2026 zoo's experts, latent attention and heterogeneous stacks.

Part of :data:`flopdocs.config.keys.KEYS` (which splices these tuples in at their place in
the table's order); declared here only to keep one module short.  Their rules across keys are
:mod:`flopdocs.config.variants`.  Nothing here parses a config.
"""
from __future__ import annotations

from flopdocs.config import symbols as S
from flopdocs.config.key import Key, hf_names as _hf

#: The experts' variants, multi-head latent attention and attention sinks (after d_ff_expert).
ZOO_ATTENTION_KEYS: tuple[Key, ...] = (
    Key("d_ff_shared", "int", "architecture",
        "with `n_experts`: the hidden width of the shared expert every token also passes "
        "through (`SharedExpert`, the model's FFN kind), its output added to the routed "
        "experts'. DeepSeek, GLM-4.5: `n_shared_experts` × `moe_intermediate_size`; Qwen2-MoE: "
        "`shared_expert_intermediate_size`; Llama 4: `intermediate_size`.", None,
        default_doc="none", symbol=S.d_ff_shared,
        hf=_hf(llama=("shared_expert_intermediate_size", "n_shared_experts"))),
    Key("shared_expert_gate", "bool", "architecture",
        "Qwen2-MoE: the shared expert's output times sigmoid(X W_shared_gate), a d_model × 1 "
        "gate per token. Needs `d_ff_shared`.", False),
    Key("router_bias", "bool", "architecture",
        "gpt-oss: a bias on the router's logits (`+ b_router`, n_experts parameters per layer). "
        "DeepSeek-V3's `e_score_correction_bias` is a buffer, not a parameter: not this key.",
        False),
    Key("kv_lora_rank", "int", "architecture",
        "multi-head latent attention (`MultiHeadLatentAttention`; DeepSeek-V2/V3, Kimi K2): the "
        "width of the key-value latent, which the KV cache holds with one shared rotary key. "
        "Needs `position: rope` and the three head widths below; `n_kv_heads`, `d_head`, "
        "`attn_bias` do not apply.", None, symbol=S.r_kv, hf=_hf(llama=("kv_lora_rank",))),
    Key("q_lora_rank", "int", "architecture",
        "with `kv_lora_rank`: the width of the query latent (none: one `W_Q`, DeepSeek-V2-Lite).",
        None, default_doc="none", symbol=S.r_q, hf=_hf(llama=("q_lora_rank",))),
    Key("qk_nope_head_dim", "int", "architecture",
        "with `kv_lora_rank`: a head's query and key width without rotary.", None,
        symbol=S.d_nope, hf=_hf(llama=("qk_nope_head_dim",))),
    Key("qk_rope_head_dim", "int", "architecture",
        "with `kv_lora_rank`: a head's rotary query and key width (the rotary key is shared by "
        "every head).", None, symbol=S.d_rope, hf=_hf(llama=("qk_rope_head_dim",))),
    Key("v_head_dim", "int", "architecture", "with `kv_lora_rank`: a head's value width.", None,
        symbol=S.d_v_mla, hf=_hf(llama=("v_head_dim",))),
    Key("mla_absorb", "bool", "architecture",
        "with `kv_lora_rank`: count the weight-absorbed form (W_UK folded into the query, W_UV "
        "after the attention; nothing projected per cached position) instead of Hugging "
        "Face's.", False),
    Key("attention_sinks", "bool", "architecture",
        "gpt-oss: a learned sink logit per head (`+ sinks`: n_heads parameters per layer), one "
        "more column of every softmax, dropped after it: 2 FLOPs per query row per head.", False),
)

#: A heterogeneous stack's counts (after window).
STACK_KEYS: tuple[Key, ...] = (
    Key("window_layers", "int", "architecture",
        "with `window`: how many of the `n_layers` blocks use it (`Blocks, local`); the others "
        "attend to every key (`Blocks, global`). Gemma 2, gpt-oss: half; Gemma 3: 5 of 6; "
        "ModernBERT: 2 of 3; Qwen2: those from `max_window_layers` on. Which blocks they are "
        "does not change a count.",
        lambda get: get("n_layers") if get("window") is not None else None,
        default_doc="`n_layers` with `window`", symbol=S.n_local,
        hf=_hf(llama=("layer_types", "sliding_window_pattern", "max_window_layers",
                      "global_attn_every_n_layers"))),
    Key("dense_layers", "int", "architecture",
        "with `n_experts`: how many blocks keep a dense FFN of width `d_ff` (`Blocks, dense`); "
        "the others' FFN is the mixture (`Blocks, MoE`). DeepSeek-V3: the first 3 of 61; "
        "Llama 4 Maverick: every other one.", None, default_doc="none: every FFN routed",
        symbol=S.n_dense,
        hf=_hf(llama=("first_k_dense_replace", "moe_layer_freq", "interleave_moe_layer_step",
                      "mlp_only_layers", "decoder_sparse_step"))),
    Key("nope_layers", "int", "architecture",
        "with `position: rope`: how many blocks have no rotary embedding (`Blocks, NoPE`; the "
        "others `Blocks, RoPE`). Llama 4, SmolLM3: every fourth.", None, default_doc="none",
        symbol=S.n_nope, hf=_hf(llama=("no_rope_layers",))),
)
