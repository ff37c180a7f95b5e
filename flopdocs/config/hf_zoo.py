"""Hugging Face ``config.json`` -> our config, for the model types beyond GPT-2, BERT, Llama and T5.

One reader per ``model_type`` (:data:`READERS`), each a pure function of the file's fields,
written from the Hugging Face class that builds it (transformers 5.25; its defaults are the
config class's).  A field that would change the count in a way we do not model is refused
by name (:meth:`Fields.refuse`), never ignored; fields that do not change the counts
(dropout, epsilons, rope's theta and scaling, token ids) are not read.  Nothing here parses
our own configs (:func:`flopdocs.config.config.parse` checks what a reader returns).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flopdocs.config.hf_fields import (Fields, attention_bias, gated_ffn, layer_kinds, llama_dims, llama_like,
                                       plain_ffn, qwen_window, rotary, sliding, tie, window_all_layers)
from flopdocs.config.hf_encoders import bart, distilbert, modernbert, roberta
from flopdocs.errors import shown


def gpt_neox(f: Fields) -> dict[str, Any]:
    """GPTNeoXForCausalLM (Pythia): parallel residual with two LayerNorms, partial rotary."""
    out = llama_dims(f, gqa=False, head_dim=False)
    rotary(f, out, 0.25, "partial_rotary_factor", "rotary_pct")
    bias = f.flag("attention_bias", True)
    out.update(ffn=plain_ffn(f, "hidden_act", "gelu"), position="rope", attn_bias=bias, attn_out_bias=bias,
               block="parallel" if f.flag("use_parallel_residual", True) else "sequential")
    tie(f, out, False)
    return out


def gptj(f: Fields) -> dict[str, Any]:
    """GPTJForCausalLM: one LayerNorm feeds attention and FFN; rotary_dim; LM head with bias."""
    d = f.int("n_embd")
    out = {"l": f.int("n_positions"), "d_model": d, "d_ff": f.int("n_inner", default=4 * d),
           "n_vocab": f.int("vocab_size"), "n_layers": f.int("n_layer"), "n_heads": f.int("n_head")}
    rot = f.int("rotary_dim", default=None)
    if rot is not None and rot != d // out["n_heads"]:
        out["rotary_dim"] = rot
    out.update(ffn=plain_ffn(f, "activation_function", "gelu_new"), position="rope",
               block="parallel-one-norm", lm_head_bias=True)
    tie(f, out, False)
    return out


def opt(f: Fields) -> dict[str, Any]:
    """OPTForCausalLM: learned positions with 2 unused rows; pre-LN only."""
    if not f.flag("do_layer_norm_before", True):
        f.refuse("do_layer_norm_before", "false (post-LN OPT-350m, with no final norm) is not modelled")
    if f.flag("_remove_final_layer_norm", False):
        f.refuse("_remove_final_layer_norm", "a decoder without its final norm is not modelled")
    d = f.int("hidden_size")
    if f.int("word_embed_proj_dim", default=d) != d:
        f.refuse("word_embed_proj_dim", "a projection between embedding and model widths is not modelled")
    out = {"l": f.int("max_position_embeddings"), "d_model": d, "d_ff": f.int("ffn_dim"),
           "n_vocab": f.int("vocab_size"), "n_layers": f.int("num_hidden_layers"),
           "n_heads": f.int("num_attention_heads")}
    bias = f.flag("enable_bias", True)
    out.update(max_positions=out["l"], position_offset=2, ffn=plain_ffn(f, "activation_function", "relu"),
               attn_bias=bias, attn_out_bias=bias, ffn_bias=bias)
    if not f.flag("layer_norm_elementwise_affine", True):
        out["norm"] = "layernorm-no-params"
    tie(f, out, True)
    return out


def bloom(f: Fields) -> dict[str, Any]:
    """BloomForCausalLM: ALiBi, a LayerNorm after the embeddings, FFN 4·d."""
    d = f.int("hidden_size", "n_embed")
    out = {"l": f.int("seq_length", default=2048), "d_model": d, "d_ff": 4 * d,
           "n_vocab": f.int("vocab_size"), "n_layers": f.int("n_layer", "num_hidden_layers"),
           "n_heads": f.int("n_head", "num_attention_heads")}
    out.update(ffn="gelu", position="alibi", attn_bias=True, embedding_norm=True)
    tie(f, out, True)
    return out


def falcon(f: Fields) -> dict[str, Any]:
    """FalconForCausalLM: multi-query or grouped KV, parallel blocks with one or two norms."""
    d = f.int("hidden_size")
    heads = f.int("num_attention_heads", "n_head")
    out = {"l": f.int("max_position_embeddings", default=2048), "d_model": d,
           "d_ff": f.int("ffn_hidden_size", default=4 * d), "n_vocab": f.int("vocab_size"),
           "n_layers": f.int("num_hidden_layers", "n_layer"), "n_heads": heads}
    new = f.flag("new_decoder_architecture", False)
    if new and not f.flag("parallel_attn", True):  # FalconDecoderLayer builds norms its forward lacks
        f.refuse("parallel_attn", "false with new_decoder_architecture is not a model transformers can run")
    if not new and f.hf.get("num_ln_in_parallel_attn") not in (None, 1):
        f.refuse("num_ln_in_parallel_attn", "two norms without new_decoder_architecture are built but "
                                            "not used by transformers; not modelled")
    if new:
        kv = f.int("num_kv_heads", default=heads)
        norms = f.int("num_ln_in_parallel_attn", default=2)
        out["block"] = "parallel" if norms == 2 else "parallel-one-norm"
    else:
        kv = 1 if f.flag("multi_query", True) else heads
        if f.flag("parallel_attn", True):
            out["block"] = "parallel-one-norm"
    if kv != heads:
        out["n_kv_heads"] = kv
    bias = f.flag("bias", False)
    out.update(ffn=plain_ffn(f, "activation", "gelu"), attn_bias=bias, attn_out_bias=bias, ffn_bias=bias,
               position="alibi" if f.flag("alibi", False) else "rope")
    tie(f, out, True)
    return out


def phi(f: Fields) -> dict[str, Any]:
    """PhiForCausalLM: one LayerNorm for both sub-layers, biases everywhere, partial rotary."""
    out = llama_dims(f)
    rotary(f, out, 0.5, "partial_rotary_factor")
    out.update(ffn=plain_ffn(f, "hidden_act", "gelu_new"), position="rope", attn_bias=True,
               block="parallel-one-norm", lm_head_bias=True)
    if f.flag("qk_layernorm", False):
        out["qk_norm"] = "head"
    tie(f, out, False)
    return out


def phi3(f: Fields) -> dict[str, Any]:
    out = llama_like(f)
    rotary(f, out, 1.0, "partial_rotary_factor")
    window_all_layers(f, out)
    tie(f, out, False)
    return out


def olmo(f: Fields) -> dict[str, Any]:
    """OlmoForCausalLM: LayerNorms with neither γ nor β."""
    if f.hf.get("clip_qkv") is not None:
        f.refuse("clip_qkv", "clamping q, k and v is not modelled")
    out = llama_like(f)
    out["norm"] = "layernorm-no-params"
    attention_bias(f, out)
    tie(f, out, False)
    return out


def olmo2(f: Fields) -> dict[str, Any]:
    """Olmo2ForCausalLM: norms after each sub-layer, q and k normalised over their full width."""
    out = llama_like(f)
    out.update(norm_position="post", qk_norm="width")
    attention_bias(f, out)
    tie(f, out, False)
    return out


def stablelm(f: Fields) -> dict[str, Any]:
    """StableLmForCausalLM: LayerNorm with bias, partial rotary, q/k/v biases if use_qkv_bias."""
    if f.flag("qk_layernorm", False):
        f.refuse("qk_layernorm", "per-head LayerNorms without bias beside LayerNorms with bias are not modelled")
    out = llama_like(f, head_dim=False)
    out["norm"] = "layernorm"
    rotary(f, out, 0.25, "partial_rotary_factor")
    if f.flag("use_qkv_bias", False):
        out.update(attn_bias=True, attn_out_bias=False)
    if f.flag("use_parallel_residual", False):
        out["block"] = "parallel-one-norm"
    tie(f, out, False)
    return out


def starcoder2(f: Fields) -> dict[str, Any]:
    out = llama_dims(f)
    bias = f.flag("use_bias", True)
    out.update(ffn=plain_ffn(f, "hidden_act", "gelu_pytorch_tanh"), position="rope", attn_bias=bias,
               attn_out_bias=bias, ffn_bias=bias)
    window_all_layers(f, out)
    tie(f, out, True)
    return out


def granite(f: Fields) -> dict[str, Any]:
    """GraniteForCausalLM: Llama with its embedding, residual and logit multipliers (always applied)."""
    out = llama_like(f)
    attention_bias(f, out)
    out["ffn_bias"] = f.flag("mlp_bias", False)
    out.update(embedding_scale=True, residual_scale=True, logit_scale=True)
    tie(f, out, False)
    return out


def cohere(f: Fields) -> dict[str, Any]:
    """CohereForCausalLM: one LayerNorm (γ, no β) for both sub-layers, logits scaled."""
    out = llama_like(f)
    out.update(norm="layernorm-no-bias", block="parallel-one-norm", logit_scale=True)
    if f.flag("use_qk_norm", False):
        out["qk_norm"] = "heads"
    attention_bias(f, out)
    tie(f, out, True)
    return out


def gemma(f: Fields) -> dict[str, Any]:
    """GemmaForCausalLM: GeGLU, embeddings times √d_model, (1 + γ) RMSNorm (same count)."""
    out = llama_like(f, "gelu_pytorch_tanh")
    out["embedding_scale"] = True
    attention_bias(f, out)
    tie(f, out, True)
    return out


def gemma2(f: Fields) -> dict[str, Any]:
    """Gemma2ForCausalLM: sandwich norms, soft-capped scores and logits, local and global layers."""
    out = gemma(f)
    out["norm_position"] = "sandwich"
    if f.number("attn_logit_softcapping", None) is not None:
        out["attn_softcap"] = True
    if f.number("final_logit_softcapping", None) is not None:
        out["logit_softcap"] = True
    # Gemma2Config: even layers slide, odd ones are global, when layer_types is absent
    sliding(f, out, layer_kinds(f, out["n_layers"], lambda i: i % 2 == 0))
    return out


def gemma3_text(f: Fields) -> dict[str, Any]:
    """Gemma3ForCausalLM: Gemma 2 with per-head q and k norms, 5 local layers to 1 global."""
    out = gemma2(f)
    if "layer_types" not in f.hf:  # the older field: every sliding_window_pattern-th layer global
        pattern = f.int("sliding_window_pattern", "_sliding_window_pattern", default=6)
        out.pop("window_layers", None)
        sliding(f, out, layer_kinds(f, out["n_layers"], lambda i: (i + 1) % pattern != 0))
    out["qk_norm"] = "head"
    return out


def smollm3(f: Fields) -> dict[str, Any]:
    """SmolLM3ForCausalLM: Llama with no rotary embedding in every no_rope_layer_interval-th layer."""
    out = llama_like(f)
    attention_bias(f, out)
    out["ffn_bias"] = f.flag("mlp_bias", False)
    n = out["n_layers"]
    uses = f.hf.get("no_rope_layers")
    if uses is None:
        every = f.int("no_rope_layer_interval", default=4)
        uses = [int((i + 1) % every != 0) for i in range(n)]
    if not isinstance(uses, list) or len(uses) != n or any(u not in (0, 1) for u in uses):
        f.refuse("no_rope_layers", f"must list {n} of 0, 1 (one per layer)")
    if uses.count(0) == n:
        out["position"] = "none"
    elif uses.count(0):
        out["nope_layers"] = uses.count(0)
    if f.flag("use_sliding_window", False):
        sliding(f, out, layer_kinds(f, n))
    tie(f, out, True)
    return out


def qwen3(f: Fields) -> dict[str, Any]:
    """Qwen3ForCausalLM: per-head RMSNorm of q and k (one γ of head_dim each)."""
    out = llama_like(f)
    out["qk_norm"] = "head"
    attention_bias(f, out)
    qwen_window(f, out)
    tie(f, out, False)
    return out


def gpt_bigcode(f: Fields) -> dict[str, Any]:
    """GPTBigCodeForCausalLM (StarCoder, SantaCoder): GPT-2 with multi-query attention."""
    d = f.int("n_embd")
    out = {"l": f.int("n_positions"), "d_model": d, "d_ff": f.int("n_inner", default=4 * d),
           "n_vocab": f.int("vocab_size"), "n_layers": f.int("n_layer"), "n_heads": f.int("n_head")}
    if f.flag("add_cross_attention", False):
        f.refuse("add_cross_attention", "GPT-BigCode with cross-attention is not modelled")
    if f.flag("multi_query", True) and out["n_heads"] != 1:
        out["n_kv_heads"] = 1
    out.update(max_positions=out["l"], ffn=plain_ffn(f, "activation_function", "gelu_pytorch_tanh"),
               attn_bias=True)
    tie(f, out, True)
    return out


READERS: dict[str, Callable[[Fields], dict[str, Any]]] = {
    "gpt_neox": gpt_neox, "gptj": gptj, "opt": opt, "bloom": bloom, "falcon": falcon, "phi": phi,
    "phi3": phi3, "olmo": olmo, "olmo2": olmo2, "stablelm": stablelm, "starcoder2": starcoder2,
    "granite": granite, "cohere": cohere, "gemma": gemma, "gemma2": gemma2, "gemma3_text": gemma3_text,
    "qwen3": qwen3, "smollm3": smollm3, "modernbert": modernbert, "gpt_bigcode": gpt_bigcode,
    "roberta": roberta, "xlm-roberta": roberta, "distilbert": distilbert, "bart": bart,
}
