"""The Hugging Face class of a config whose structure only a newer family has (``verify``).

For each family :mod:`flopdocs.config.hf_zoo` reads, :func:`candidates` writes the
config.json fields that would give our config's structure; a candidate is used only if
:func:`flopdocs.config.hf.to_data` reads it back as the same structure and the same
dimensions (``l`` aside: the input's length, not the class's), so the class built is
the one ``import-hf`` would have counted, like with like.  Nothing here runs torch.
"""
from __future__ import annotations

from typing import Any

from flopdocs.config.config import Config, parse
from flopdocs.errors import ConfigError

_ACT = {"relu": "relu", "gelu": "gelu_new", "swiglu": "silu", "geglu": "gelu_pytorch_tanh"}
_T5_FFN = {"relu": "relu", "gelu": "gelu", "geglu": "gated-gelu", "swiglu": "gated-silu"}


def _rope(cfg: Config) -> dict[str, Any]:
    """rope_parameters with the rotated fraction: (d_rot + ½) / d_head, which every class's
    int(d_head · factor) turns back into d_rot exactly (no rounding below it)."""
    d_head, rot = cfg.get("d_head"), cfg.get("rotary_dim")
    factor = (rot + 0.5) / d_head if cfg.arch.partial_rotary else 1.0
    return {"rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": factor}}


def _llama(cfg: Config, **more: Any) -> dict[str, Any]:
    v, k = cfg.values, cfg.get
    head = {"head_dim": k("d_head")} if cfg.arch.explicit_d_head else {}
    return dict(vocab_size=v["n_vocab"], hidden_size=v["d_model"], num_hidden_layers=v["n_layers"],
                num_attention_heads=v["n_heads"], intermediate_size=v["d_ff"],
                max_position_embeddings=v["l"], num_key_value_heads=k("n_kv_heads"),
                tie_word_embeddings=cfg.arch.tie_embeddings, hidden_act=_ACT[cfg.arch.ffn],
                pad_token_id=None, **head, **_rope(cfg), **more)  # a default pad id may not fit the vocabulary


def _gpt2_like(cfg: Config, **more: Any) -> dict[str, Any]:
    v = cfg.values
    return dict(vocab_size=v["n_vocab"], n_embd=v["d_model"], n_inner=v["d_ff"], n_layer=v["n_layers"],
                n_head=v["n_heads"], activation_function=_ACT[cfg.arch.ffn],
                tie_word_embeddings=cfg.arch.tie_embeddings, **more)


def candidates(cfg: Config) -> list[tuple[str, dict[str, Any]]]:
    """(model_type, config.json fields) that may have ``cfg``'s structure, in order."""
    a, v, k = cfg.arch, cfg.values, cfg.get
    bias, window = a.attn_bias, k("window") if a.windowed else None
    offset = k("position_offset") or 0
    mlm = dict(vocab_size=v["n_vocab"], hidden_size=v["d_model"], num_hidden_layers=v["n_layers"],
               num_attention_heads=v["n_heads"], intermediate_size=v["d_ff"], hidden_act=_ACT[a.ffn],
               max_position_embeddings=k("max_positions") + offset)
    falcon_new = a.block != "sequential"
    n, local, nope = v["n_layers"], k("window_layers") or 0, k("nope_layers") or 0
    kinds = {"layer_types": ["sliding_attention"] * local + ["full_attention"] * (n - local),
             "sliding_window": k("window")}
    gemma2 = _llama(cfg, attention_bias=bias, attn_logit_softcapping=50.0 if a.attn_softcap else None,
                    final_logit_softcapping=30.0 if a.logit_softcap else None, **kinds)
    return [
        ("gpt_neox", _llama(cfg, use_parallel_residual=a.block == "parallel", attention_bias=bias)),
        ("gptj", _gpt2_like(cfg, n_positions=v["l"], rotary_dim=k("rotary_dim") or k("d_head"))),
        ("opt", dict(mlm, ffn_dim=v["d_ff"], activation_function=_ACT[a.ffn], enable_bias=bias,
                     max_position_embeddings=k("max_positions"), word_embed_proj_dim=v["d_model"],
                     layer_norm_elementwise_affine=a.norm != "layernorm-no-params",
                     tie_word_embeddings=a.tie_embeddings)),
        ("bloom", dict(vocab_size=v["n_vocab"], hidden_size=v["d_model"], n_layer=v["n_layers"],
                       n_head=v["n_heads"], seq_length=v["l"], tie_word_embeddings=a.tie_embeddings)),
        ("falcon", dict(vocab_size=v["n_vocab"], hidden_size=v["d_model"], num_hidden_layers=v["n_layers"],
                        num_attention_heads=v["n_heads"], max_position_embeddings=v["l"],
                        tie_word_embeddings=a.tie_embeddings, ffn_hidden_size=v["d_ff"], activation="gelu", bias=bias,
                        alibi=a.position == "alibi", new_decoder_architecture=falcon_new,
                        num_kv_heads=k("n_kv_heads"), multi_query=k("n_kv_heads") == 1,
                        parallel_attn=falcon_new, num_ln_in_parallel_attn=2 if a.block == "parallel" else 1)),
        ("phi", _llama(cfg, qk_layernorm=a.qk_norm == "head")),
        ("phi3", _llama(cfg, sliding_window=window)),
        ("olmo", _llama(cfg, attention_bias=bias)),
        ("olmo2", _llama(cfg, attention_bias=bias)),
        ("stablelm", _llama(cfg, use_qkv_bias=bias, use_parallel_residual=a.block != "sequential")),
        ("starcoder2", _llama(cfg, use_bias=bias, sliding_window=window)),
        ("granite", _llama(cfg, attention_bias=bias, mlp_bias=a.ffn_bias)),
        ("cohere", _llama(cfg, attention_bias=bias, use_qk_norm=a.qk_norm == "heads")),
        ("gemma", _llama(cfg, attention_bias=bias)),
        ("gemma2", gemma2),
        ("gemma3_text", dict(gemma2, attn_logit_softcapping=None, final_logit_softcapping=None,
                             rope_parameters=None)),  # its own, one per layer type
        ("smollm3", _llama(cfg, attention_bias=bias, mlp_bias=a.ffn_bias, use_sliding_window=local > 0,
                           no_rope_layers=[1] * (n - nope) + [0] * nope, **kinds)),
        ("modernbert", dict(_llama(cfg, attention_bias=bias, mlp_bias=a.ffn_bias, norm_bias=a.norm == "layernorm"),
                            hidden_activation=_ACT[a.ffn], layer_types=kinds["layer_types"], rope_parameters=None,
                            local_attention=k("window"))),
        ("qwen3", _llama(cfg, attention_bias=bias, use_sliding_window=window is not None,
                         sliding_window=window, max_window_layers=0)),
        ("gpt_bigcode", _gpt2_like(cfg, n_positions=k("max_positions"), multi_query=k("n_kv_heads") == 1)),
        ("roberta", dict(mlm, pad_token_id=offset - 1, type_vocab_size=k("token_types"))),
        ("bart", dict(vocab_size=v["n_vocab"], d_model=v["d_model"], encoder_layers=k("n_encoder_layers"),
                      decoder_layers=k("n_decoder_layers"), encoder_attention_heads=v["n_heads"],
                      decoder_attention_heads=v["n_heads"], encoder_ffn_dim=v["d_ff"], decoder_ffn_dim=v["d_ff"],
                      max_position_embeddings=k("max_positions"), activation_function=_ACT[a.ffn],
                      tie_word_embeddings=a.tie_embeddings)),
        ("umt5", dict(vocab_size=v["n_vocab"], d_model=v["d_model"], d_kv=k("d_head"), d_ff=v["d_ff"],
                      num_layers=k("n_encoder_layers"), num_decoder_layers=k("n_decoder_layers"),
                      num_heads=v["n_heads"], relative_attention_num_buckets=k("relative_buckets") or 32,
                      feed_forward_proj=_T5_FFN[a.ffn], tie_word_embeddings=a.tie_embeddings)),
        ("distilbert", dict(vocab_size=v["n_vocab"], dim=v["d_model"], hidden_dim=v["d_ff"],
                            n_layers=v["n_layers"], n_heads=v["n_heads"], activation=_ACT[a.ffn],
                            max_position_embeddings=k("max_positions"))),
    ]


def _same(cfg: Config, model_type: str, fields: dict[str, Any]) -> bool:
    from flopdocs.config import hf

    try:
        back = parse(hf.to_data({"model_type": model_type, **fields}, "<verify>", cfg.name), "<verify>")
    except ConfigError:
        return False
    ours = {s: n for s, n in cfg.dims.items() if s.name != "l"}
    return back.arch == cfg.arch and {s: n for s, n in back.dims.items() if s.name != "l"} == ours


def hf_class(cfg: Config) -> tuple[str, dict[str, Any]] | None:
    """The class name and fields (with ``model_type``) that read back as ``cfg``, or None."""
    from transformers.models.auto import modeling_auto as auto

    for model_type, fields in candidates(cfg):
        if _same(cfg, model_type, fields):
            if cfg.is_encoder_decoder:
                names = auto.MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES
            elif cfg.arch.architecture == "encoder":
                names = auto.MODEL_FOR_MASKED_LM_MAPPING_NAMES if cfg.arch.lm_head else auto.MODEL_MAPPING_NAMES
            else:
                names = auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
            return names[model_type], dict(fields, model_type=model_type)
    return None
