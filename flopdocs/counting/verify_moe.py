"""``flopdocs verify`` for the mixture-of-experts and latent-attention families: which Hugging
Face class has a config's structure, and its config fields.

DeepseekV3 (multi-head latent attention), Qwen2-MoE (a gated shared expert), Qwen3-MoE
(per-head q/k norms), gpt-oss (sinks, biased router and experts, windowed and full layers),
Llama 4 (a shared expert, dense and routed layers, NoPE layers) and GLM-4.5 (shared experts,
partial rotary).  A structure with anything the class cannot express is not theirs
(:func:`zoo_class` returns None).  Llama 4's class runs every expert on every token: its
count is ours with ``experts_per_token = n_experts`` (:func:`counted_as`).  The experts'
products on the meta device (:func:`round_robin_experts`) are run by
:mod:`flopdocs.counting.verify`, which imports PyTorch; nothing here does at import.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from flopdocs.config.arch import SEED, Arch
from flopdocs.config.config import Config

#: The Arch fields every one of these classes has as set: a rope, RMSNorm, SwiGLU decoder.
_BASE = {"position": "rope", "norm": "rmsnorm", "ffn": "swiglu", "ffn_bias": False, "lm_head": True,
         "architecture": "decoder"}
#: The Arch fields each class may vary (beyond _BASE and tie_embeddings): anything else set is
#: not this class's.
_MAY = {
    "DeepseekV3ForCausalLM": {"mla", "q_lora", "moe", "expert_width", "shared_expert", "groups"},
    "Qwen2MoeForCausalLM": {"moe", "expert_width", "shared_expert", "shared_expert_gate", "attn_bias",
                            "gqa", "explicit_d_head", "groups"},
    "Qwen3MoeForCausalLM": {"moe", "expert_width", "qk_norm", "gqa", "explicit_d_head", "attn_bias",
                            "attn_out_bias", "groups"},
    "GptOssForCausalLM": {"moe", "router_bias", "sinks", "ffn_bias", "attn_bias", "attn_out_bias", "gqa",
                          "explicit_d_head", "windowed", "groups"},
    "Llama4ForCausalLM": {"moe", "expert_width", "shared_expert", "gqa", "explicit_d_head", "groups"},
    "Glm4MoeForCausalLM": {"moe", "expert_width", "shared_expert", "gqa", "explicit_d_head", "attn_bias",
                           "partial_rotary", "qk_norm", "groups"},
}
#: The splits each class can lay out.
_SPLITS = {"DeepseekV3ForCausalLM": {"dense_layers"}, "Qwen2MoeForCausalLM": {"dense_layers"},
           "Qwen3MoeForCausalLM": {"dense_layers"}, "GptOssForCausalLM": {"window_layers"},
           "Llama4ForCausalLM": {"dense_layers", "nope_layers"}, "Glm4MoeForCausalLM": {"dense_layers"}}


def _fits(a: Arch, name: str) -> bool:
    base = dataclasses.replace(SEED, **_BASE)
    may = _MAY[name] | {"tie_embeddings"}
    if any(getattr(a, f.name) != getattr(base, f.name) for f in dataclasses.fields(Arch) if f.name not in may):
        return False
    return all(key in _SPLITS[name] for g in a.groups for key, _ in g.traits)


def _choose(a: Arch) -> str | None:
    if a.mla:
        return "DeepseekV3ForCausalLM"
    if not a.moe:
        return None
    if a.sinks or a.router_bias:
        return "GptOssForCausalLM"
    if a.shared_expert_gate:
        return "Qwen2MoeForCausalLM"
    if a.shared_expert:
        nope = any(key == "nope_layers" for g in a.groups for key, _ in g.traits)
        return "Llama4ForCausalLM" if nope or not (a.partial_rotary or a.attn_bias or a.qk_norm != "none") \
            else "Glm4MoeForCausalLM"
    return "Qwen3MoeForCausalLM" if a.qk_norm == "head" or a.groups else None


def zoo_class(cfg: Config) -> tuple[str, dict[str, Any]] | None:
    """The Hugging Face class of ``cfg``'s structure and its config fields, or None."""
    a, v, k = cfg.arch, cfg.values, cfg.get
    name = _choose(a)
    if name is None or not _fits(a, name):
        return None
    n = v["n_layers"]
    dense = k("dense_layers") or 0
    fields: dict[str, Any] = dict(
        vocab_size=v["n_vocab"], hidden_size=v["d_model"], num_hidden_layers=n,
        num_attention_heads=v["n_heads"], intermediate_size=v["d_ff"], max_position_embeddings=v["l"],
        tie_word_embeddings=a.tie_embeddings)
    experts = dict(num_experts_per_tok=k("experts_per_token"))
    if name == "DeepseekV3ForCausalLM":
        moe = a.moe
        shared = (k("d_ff_shared") or 0) // k("d_ff_expert") if moe else 0
        if moe and shared * k("d_ff_expert") != (k("d_ff_shared") or 0):
            return None  # the shared experts are n_shared_experts × moe_intermediate_size wide
        return name, dict(fields, model_type="deepseek_v3", num_key_value_heads=v["n_heads"],
                          kv_lora_rank=k("kv_lora_rank"), q_lora_rank=k("q_lora_rank"),
                          qk_nope_head_dim=k("qk_nope_head_dim"), qk_rope_head_dim=k("qk_rope_head_dim"),
                          head_dim=k("qk_rope_head_dim"), v_head_dim=k("v_head_dim"),
                          n_routed_experts=k("n_experts") or 1, num_experts_per_tok=k("experts_per_token") or 1,
                          moe_intermediate_size=k("d_ff_expert") or 1, n_shared_experts=shared,
                          first_k_dense_replace=dense if moe else n, n_group=1, topk_group=1)
    fields.update(num_key_value_heads=k("n_kv_heads"), head_dim=k("d_head"))
    if name in ("Qwen2MoeForCausalLM", "Qwen3MoeForCausalLM"):
        fields.update(experts, model_type=name[:5].lower() + "_moe", num_experts=k("n_experts"),
                      moe_intermediate_size=k("d_ff_expert"), mlp_only_layers=list(range(dense)),
                      decoder_sparse_step=1, use_sliding_window=False)
        if name == "Qwen2MoeForCausalLM":
            return name, dict(fields, qkv_bias=a.attn_bias, shared_expert_intermediate_size=k("d_ff_shared"))
        return (name, dict(fields, attention_bias=a.attn_bias)) if a.attn_bias == a.attn_out_bias else None
    if name == "GptOssForCausalLM":
        if not (a.router_bias and a.sinks and a.ffn_bias and a.attn_bias and a.attn_out_bias) \
                or a.expert_width:
            return None
        local = k("window_layers") or (n if k("window") is not None else 0)
        return name, dict(fields, **experts, model_type="gpt_oss", num_local_experts=k("n_experts"),
                          sliding_window=k("window") or 128,
                          layer_types=["sliding_attention"] * local + ["full_attention"] * (n - local))
    if name == "Llama4ForCausalLM":
        if k("d_ff_shared") != k("d_ff_expert"):
            return None  # the shared expert is intermediate_size wide, as each expert
        nope = k("nope_layers") or 0
        return name, dict(fields, **experts, model_type="llama4_text", intermediate_size=k("d_ff_expert"),
                          intermediate_size_mlp=v["d_ff"], num_local_experts=k("n_experts"),
                          moe_layers=list(range(dense, n)), use_qk_norm=False,
                          no_rope_layers=[1] * (n - nope) + [0] * nope, attention_chunk_size=v["l"])
    shared = k("d_ff_shared") // k("d_ff_expert")
    if shared * k("d_ff_expert") != k("d_ff_shared") or (a.attn_bias and a.attn_out_bias) \
            or a.qk_norm not in ("none", "head"):
        return None
    rot = k("rotary_dim") or k("d_head")
    return name, dict(fields, **experts, model_type="glm4_moe", n_routed_experts=k("n_experts"),
                      moe_intermediate_size=k("d_ff_expert"), n_shared_experts=shared,
                      first_k_dense_replace=dense, n_group=1, topk_group=1, attention_bias=a.attn_bias,
                      use_qk_norm=a.qk_norm == "head",
                      rope_parameters={"rope_type": "default", "rope_theta": 10000.0,
                                       "partial_rotary_factor": rot / k("d_head")})


def counted_as(cfg: Config, model: str) -> tuple[Config, str | None]:
    """The config whose count the class computes, and what the table says about it: Llama 4's
    class runs every expert on every token (scores 0 for the unselected)."""
    if model == "Llama4ForCausalLM" and cfg.get("experts_per_token") != cfg.get("n_experts"):
        return (cfg.with_values({"experts_per_token": cfg.get("n_experts")}, cfg.origin),
                "experts: Llama4ForCausalLM runs every expert on every token (the unselected "
                "scored 0): counted as ours with experts_per_token = n_experts")
    return cfg, None


def round_robin_experts(self, hidden_states, top_k_index, top_k_weights):
    """Hugging Face's eager experts' products, the l·k pairs dealt to experts in turn (each
    expert's matrices as stored: ``[out, in]`` for F.linear, or gpt-oss's ``[in, out]``)."""
    import torch
    import torch.nn.functional as F

    def apply(x, w):
        return F.linear(x, w) if w.shape[-1] == x.shape[-1] else x @ w

    out = hidden_states.new_zeros(hidden_states.shape)
    pairs, n = top_k_index.numel(), self.num_experts
    weights = top_k_weights.reshape(-1) if top_k_weights.numel() == pairs else top_k_weights.new_ones(pairs)
    for e in range(n):
        rows = pairs // n + (e < pairs % n)
        if not rows:
            continue
        state = hidden_states[:rows]  # rows = ceil(l·k / n_experts) ≤ l
        gate, up = apply(state, self.gate_up_proj[e]).chunk(2, dim=-1)
        h = apply(gate * up, self.down_proj[e]) * weights[:rows, None]
        out = out.index_add(0, torch.arange(rows, device=out.device), h.to(out.dtype))
    return out
