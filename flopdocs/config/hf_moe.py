"""Hugging Face ``config.json`` -> our config, for the mixture-of-experts and latent-attention
types (qwen2_moe, qwen3_moe, deepseek_v2, deepseek_v3, gpt_oss, llama4_text, glm4_moe) and
which layers differ in any type (:func:`stack_counts`).

Each reader is written from the transformers 5.25 class that builds the type (its config
class's defaults).  A field that changes the count in a way we do not model is refused by
name; routing details that change no matmul and no parameter (the top-k method, group
limits, scaling factors, score normalisation, DeepSeek's ``e_score_correction_bias`` buffer)
are not read.  Nothing here parses our own configs.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flopdocs.config.arch import SPLIT_BY_KEY, layout
from flopdocs.config.hf_fields import Fields, gated_ffn, llama_dims, rotary, tie
from flopdocs.errors import shown

#: Multimodal types whose text model we count, its ``text_config`` (flopdocs.config.hf reads
#: it), and that text model's model_type.
TEXT_CONFIGS = {"llama4": "llama4_text", "mistral3": "mistral", "gemma3": "gemma3_text"}


def stack_counts(f: Fields, n_layers: int, traits: Mapping[str, tuple[str, Sequence[bool]]]) -> dict[str, int]:
    """How many layers have each trait (our split key -> (the field it was read from, one
    flag per layer)), checked to overlap as :func:`flopdocs.config.arch.layout` lays them out:
    only the counts are kept, so the layers of each combination of traits must be as many."""
    for key, (name, flags) in traits.items():
        if len(flags) != n_layers:
            f.refuse(name, f"names {len(flags)} layers, not num_hidden_layers={n_layers}")
    counts = {key: sum(flags) for key, (_, flags) in traits.items()}
    kept = {k: c for k, c in counts.items() if 0 < c < n_layers}
    actual = Counter(tuple((k, bool(traits[k][1][i])) for k in kept) for i in range(n_layers))
    expected: Counter = Counter()
    for group in layout(n_layers, kept):
        at = {"0": 0, "n_layers": n_layers}
        at.update({k: c if SPLIT_BY_KEY[k].first else n_layers - c for k, c in kept.items()})
        expected[tuple(sorted(group.traits, key=lambda t: list(kept).index(t[0])))] += at[group.end] - at[group.start]
    actual = Counter({tuple(sorted(k, key=lambda t: list(kept).index(t[0]))): v for k, v in actual.items()})
    if len(kept) > 1 and actual != expected:
        f.refuse(", ".join(name for name, _ in traits.values()),
                 "these layers' kinds overlap otherwise than counted (dense layers among the "
                 "first windowed and rotary ones, NoPE layers among the global ones)")
    return {k: c for k, c in counts.items() if c}


def window_flags(f: Fields, n_layers: int, full: str = "full_attention") -> tuple[str, list[bool]] | None:
    """The windowed layers, from ``layer_types`` (each not ``full``), or None without it."""
    kinds = f.hf.get("layer_types")
    if kinds is None:
        return None
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        f.refuse("layer_types", f"must be a list of layer kinds, got {shown(kinds)}")
    return "layer_types", [k != full for k in kinds]


def _experts(f: Fields, out: dict[str, Any], experts: str, width: str) -> None:
    out["n_experts"] = f.int(experts)
    out["d_ff_expert"] = f.int(width)
    k = f.int("num_experts_per_tok", default=None)
    if k is None:  # DeepseekV2Config's default: the class builds (its parameters), cannot run
        k = 1
        out["notes"] = ("num_experts_per_tok is null in this config.json (its class cannot run a "
                        "forward pass): counted with 1 expert per token; give the real top-k with "
                        "--set experts_per_token=K. The parameters do not depend on it.")
    out["experts_per_token"] = k


def _deepseek_experts(f: Fields, out: dict[str, Any]) -> None:
    """DeepSeek's and GLM-4.5's experts: routed ones of moe_intermediate_size, n_shared_experts
    of the same width fused into one shared expert, the first first_k_dense_replace layers
    dense."""
    _experts(f, out, "n_routed_experts", "moe_intermediate_size")
    shared = f.int("n_shared_experts", default=None)
    if shared:
        out["d_ff_shared"] = shared * out["d_ff_expert"]
    first = f.int("first_k_dense_replace", default=0) if f.hf.get("first_k_dense_replace") else 0
    out.update(stack_counts(f, out["n_layers"], {
        "dense_layers": ("first_k_dense_replace", [i < first for i in range(out["n_layers"])])}))


def _moe_layers(f: Fields, n: int) -> tuple[str, list[bool]]:
    """Qwen-MoE: layer i routed iff not in mlp_only_layers and (i + 1) % decoder_sparse_step == 0."""
    only = f.hf.get("mlp_only_layers") or []
    step = f.int("decoder_sparse_step", default=1)
    if not isinstance(only, list) or not all(isinstance(i, int) for i in only):
        f.refuse("mlp_only_layers", f"must be a list of layer indices, got {shown(only)}")
    return "mlp_only_layers, decoder_sparse_step", [i in only or (i + 1) % step != 0 for i in range(n)]


def _qwen_moe(f: Fields, qk_norm: bool) -> dict[str, Any]:
    out = llama_dims(f)
    out.update(ffn=gated_ffn(f, "hidden_act", "silu"), norm="rmsnorm", position="rope", ffn_bias=False)
    _experts(f, out, "num_experts" if f.hf.get("num_experts") is not None else "num_local_experts",
             "moe_intermediate_size")
    traits = {"dense_layers": _moe_layers(f, out["n_layers"])}
    window = f.int("sliding_window", default=None) if f.flag("use_sliding_window", False) else None
    if window:
        first = f.int("max_window_layers", default=28) if f.hf.get("max_window_layers") != 0 else 0
        out["window"] = window
        traits["window_layers"] = ("max_window_layers", [i >= first for i in range(out["n_layers"])])
    out.update(stack_counts(f, out["n_layers"], traits))
    if out.get("window_layers") is None and "window" in out:
        del out["window"]  # no layer slides
    if qk_norm:
        out["qk_norm"] = "head"
        if f.flag("attention_bias", False):
            out["attn_bias"] = True
    else:
        out.update(attn_bias=f.flag("qkv_bias", True), attn_out_bias=False)
        shared = f.int("shared_expert_intermediate_size", default=None)
        if shared:
            out.update(d_ff_shared=shared, shared_expert_gate=True)
    tie(f, out, False)
    return out


def qwen2_moe(f: Fields) -> dict[str, Any]:
    """Qwen2MoeForCausalLM: q, k, v biases, a gated shared expert, dense mlp_only_layers."""
    return _qwen_moe(f, qk_norm=False)


def qwen3_moe(f: Fields) -> dict[str, Any]:
    """Qwen3MoeForCausalLM: per-head q and k RMSNorms, no shared expert."""
    return _qwen_moe(f, qk_norm=True)


def deepseek(f: Fields) -> dict[str, Any]:
    """DeepseekV2/V3ForCausalLM: multi-head latent attention, shared experts, dense first
    layers.  The multi-token-prediction module (num_nextn_predict_layers) is not built by
    Hugging Face: not counted."""
    out = {"l": f.int("max_position_embeddings"), "d_model": f.int("hidden_size"),
           "d_ff": f.int("intermediate_size"), "n_vocab": f.int("vocab_size"),
           "n_layers": f.int("num_hidden_layers"), "n_heads": f.int("num_attention_heads")}
    if f.int("num_key_value_heads", default=out["n_heads"]) != out["n_heads"]:
        f.refuse("num_key_value_heads", "multi-head latent attention with fewer key-value heads than "
                                        "attention heads is not modelled")
    if f.flag("attention_bias", False):
        f.refuse("attention_bias", "biases in multi-head latent attention are not modelled")
    if f.int("moe_layer_freq", default=1) != 1:
        f.refuse("moe_layer_freq", "routed layers at a frequency other than 1 are not modelled "
                                   "(transformers 5 does not read it either)")
    out.update(ffn=gated_ffn(f, "hidden_act", "silu"), norm="rmsnorm", position="rope", ffn_bias=False,
               kv_lora_rank=f.int("kv_lora_rank"), qk_nope_head_dim=f.int("qk_nope_head_dim"),
               qk_rope_head_dim=f.int("qk_rope_head_dim"), v_head_dim=f.int("v_head_dim"))
    q_rank = f.int("q_lora_rank", default=None)
    if q_rank is not None:
        out["q_lora_rank"] = q_rank
    _deepseek_experts(f, out)
    tie(f, out, False)
    return out


def gpt_oss(f: Fields) -> dict[str, Any]:
    """GptOssForCausalLM: biased attention with a sink per head, windowed and full layers
    alternating, a biased router and biased experts."""
    out = llama_dims(f)
    out.update(ffn="swiglu", norm="rmsnorm", position="rope", attn_bias=f.flag("attention_bias", True),
               ffn_bias=True, router_bias=True, attention_sinks=True)
    _experts(f, out, "num_local_experts", "intermediate_size")
    del out["d_ff_expert"]  # the experts' width is intermediate_size, d_ff: the default
    window = f.int("sliding_window", default=None)
    flags = window_flags(f, out["n_layers"])
    if window is not None and flags is not None and any(flags[1]):
        out["window"] = window
        out.update(stack_counts(f, out["n_layers"], {"window_layers": flags}))
    tie(f, out, False)
    return out


def llama4_text(f: Fields) -> dict[str, Any]:
    """Llama4ForCausalLM: routed and dense layers interleaved, a shared expert, a NoPE layer
    every fourth; chunked attention counted as full causal attention (see the notes)."""
    out = llama_dims(f)
    n = out["n_layers"]
    out.update(d_ff=f.int("intermediate_size_mlp"), ffn=gated_ffn(f, "hidden_act", "silu"),
               norm="rmsnorm", position="rope", ffn_bias=False)
    if f.flag("attention_bias", False):
        out["attn_bias"] = True
    _experts(f, out, "num_local_experts", "intermediate_size")
    out["d_ff_shared"] = out["d_ff_expert"]
    moe = f.hf.get("moe_layers")
    if moe is None:
        step = f.int("interleave_moe_layer_step", default=1)
        moe = list(range(step - 1, n, step))
    if not isinstance(moe, list) or not all(isinstance(i, int) for i in moe):
        f.refuse("moe_layers", f"must be a list of layer indices, got {shown(moe)}")
    rope = f.hf.get("no_rope_layers")
    if rope is None:
        interval = f.int("no_rope_layer_interval", default=4)
        rope = [int((i + 1) % interval != 0) for i in range(n)]
    if not isinstance(rope, list):
        f.refuse("no_rope_layers", f"must be a list of 0 and 1, got {shown(rope)}")
    out.update(stack_counts(f, n, {"dense_layers": ("moe_layers, interleave_moe_layer_step",
                                                    [i not in moe for i in range(n)]),
                                   "nope_layers": ("no_rope_layers", [not r for r in rope])}))
    chunk = f.int("attention_chunk_size", default=None)
    notes = ["Read from a Llama 4 config.json by flopdocs import-hf."]
    if chunk is not None:
        notes.append(f"Chunked attention (attention_chunk_size {chunk}) on the RoPE layers is counted as "
                     "full causal attention: what a masked dense kernel (and FlopCounterMode) computes; "
                     f"--scores exact counts more pairs than the chunks admit when l > {chunk}.")
    notes.append("Not counted: the weightless L2 norm of q and k on the RoPE layers (use_qk_norm), the "
                 "NoPE layers' attention temperature, the router's sigmoid. Hugging Face's Llama4 "
                 "experts run every expert on every token (flopdocs verify counts that).")
    out["notes"] = "\n".join(notes)
    tie(f, out, False)
    return out


def glm4_moe(f: Fields) -> dict[str, Any]:
    """Glm4MoeForCausalLM (GLM-4.5): DeepSeek-V3's experts with grouped-query attention,
    partial rotary, q/k/v biases.  Its multi-token-prediction layer is not built: not counted."""
    out = llama_dims(f)
    out.setdefault("d_head", out["d_model"] // out["n_heads"])  # head_dim's default: hidden // heads
    out.update(ffn=gated_ffn(f, "hidden_act", "silu"), norm="rmsnorm", position="rope", ffn_bias=False)
    rotary(f, out, 0.5, "partial_rotary_factor")
    if f.flag("attention_bias", False):
        out.update(attn_bias=True, attn_out_bias=False)
    if f.flag("use_qk_norm", False):
        out["qk_norm"] = "head"
    _deepseek_experts(f, out)
    tie(f, out, False)
    return out


READERS: dict[str, Callable[[Fields], dict[str, Any]]] = {
    "qwen2_moe": qwen2_moe, "qwen3_moe": qwen3_moe, "deepseek_v2": deepseek, "deepseek_v3": deepseek,
    "gpt_oss": gpt_oss, "llama4_text": llama4_text, "glm4_moe": glm4_moe,
}
