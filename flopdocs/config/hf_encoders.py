"""Hugging Face ``config.json`` -> our config, for RoBERTa, XLM-R, DistilBERT, ModernBERT and BART.

Part of :data:`flopdocs.config.hf_zoo.READERS` (kept apart to keep one module short);
each reader a pure function of the file's fields, as :mod:`flopdocs.config.hf_zoo`'s are.
Each gives the base model (``AutoModel``: no masked-LM head); ``--set lm_head=true`` is
the masked-LM class for RoBERTa, XLM-R and DistilBERT (not ModernBERT, whose head has no
biases).  BART is BartForConditionalGeneration.  Nothing here parses our own configs.
"""
from __future__ import annotations

from typing import Any

from flopdocs.config.hf_fields import Fields, gated_ffn, layer_kinds, llama_dims, plain_ffn, sliding
from flopdocs.errors import shown


def modernbert(f: Fields) -> dict[str, Any]:
    """ModernBertModel: GeGLU, LayerNorms without bias, every few layers global, the rest local.

    Layer 0 has no attention norm but the embeddings have one: 2·n_layers + 1 norms, as a
    pre-norm stack with its final norm counts them."""
    out = llama_dims(f, gqa=False)
    if f.hf.get("classifier_pooling") not in (None, "cls", "mean"):
        f.refuse("classifier_pooling", "not modelled")
    out.update(architecture="encoder", ffn=gated_ffn(f, "hidden_activation", "gelu"),
               norm="layernorm" if f.flag("norm_bias", False) else "layernorm-no-bias", position="rope",
               pooler=False)
    bias = f.flag("attention_bias", False)
    out.update(attn_bias=bias, attn_out_bias=bias, ffn_bias=f.flag("mlp_bias", False))
    every = f.int("global_attn_every_n_layers", default=3)
    sliding(f, out, layer_kinds(f, out["n_layers"], lambda i: i % every != 0))
    return out


def roberta(f: Fields) -> dict[str, Any]:
    """RobertaModel, XLMRobertaModel: BERT whose position ids start at padding_idx + 1."""
    if f.text("position_embedding_type", "absolute") != "absolute":
        f.refuse("position_embedding_type", f"{shown(f.hf['position_embedding_type'])} is not modelled (absolute)")
    if f.flag("is_decoder", False) or f.flag("add_cross_attention", False):
        f.refuse("is_decoder", "RoBERTa as a decoder is not modelled")
    offset = f.int("pad_token_id", default=1) + 1  # an int >= 1: pad_token_id 0 is refused
    rows = f.int("max_position_embeddings")
    if rows <= offset:
        f.refuse("max_position_embeddings", f"{rows} rows leave no position after padding_idx + 1 = {offset}")
    out = {"l": rows - offset, "d_model": f.int("hidden_size"), "d_ff": f.int("intermediate_size"),
           "n_vocab": f.int("vocab_size"), "n_layers": f.int("num_hidden_layers"),
           "n_heads": f.int("num_attention_heads")}
    out.update(max_positions=rows - offset, position_offset=offset, architecture="encoder",
               ffn=plain_ffn(f, "hidden_act", "gelu"), attn_bias=True,
               token_types=f.int("type_vocab_size", default=2))
    return out


def distilbert(f: Fields) -> dict[str, Any]:
    """DistilBertModel: BERT without token types or pooler."""
    if f.flag("sinusoidal_pos_embds", False):
        f.refuse("sinusoidal_pos_embds", "DistilBERT keeps its fixed table as a parameter; not modelled")
    out = {"l": f.int("max_position_embeddings"), "d_model": f.int("dim"), "d_ff": f.int("hidden_dim"),
           "n_vocab": f.int("vocab_size"), "n_layers": f.int("n_layers"), "n_heads": f.int("n_heads")}
    out.update(max_positions=out["l"], architecture="encoder", ffn=plain_ffn(f, "activation", "gelu"),
               attn_bias=True, pooler=False)
    return out


def bart(f: Fields) -> dict[str, Any]:
    """BartForConditionalGeneration: post-LN stacks with a LayerNorm after each stack's
    embeddings and no final one (2·n + 1 norms per stack, as a pre-norm stack with its final
    norm counts them), learned positions with 2 unused rows per stack, biases everywhere."""
    if not f.flag("tie_word_embeddings", True):
        f.refuse("tie_word_embeddings", "false (transformers 5 then gives each stack its own word table) "
                                        "is not modelled for BART")
    for name in ("add_final_layer_norm", "normalize_before", "scale_embedding"):
        if f.flag(name, False):
            f.refuse(name, "true (mBART's extra norms, or scaled embeddings) is not modelled for BART")
    heads, ffn = f.int("encoder_attention_heads"), f.int("encoder_ffn_dim")
    if f.int("decoder_attention_heads", default=heads) != heads or f.int("decoder_ffn_dim", default=ffn) != ffn:
        f.refuse("decoder_attention_heads" if f.hf.get("decoder_attention_heads") != heads else "decoder_ffn_dim",
                 "encoder and decoder of different widths are not modelled")
    out = {"l": f.int("max_position_embeddings"), "d_model": f.int("d_model"), "d_ff": ffn,
           "n_vocab": f.int("vocab_size"), "n_layers": f.int("encoder_layers"), "n_heads": heads}
    out.update(architecture="encoder-decoder", max_positions=out["l"], position_offset=2,
               ffn=plain_ffn(f, "activation_function", "gelu"), attn_bias=True, tie_embeddings=True)
    decoder = f.int("decoder_layers", default=out["n_layers"])
    if decoder != out["n_layers"]:
        out["n_decoder_layers"] = decoder
    return out

