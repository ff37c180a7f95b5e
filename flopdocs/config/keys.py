"""Every config key, declared once: name, type, default, symbol, Hugging Face fields, doc.

:data:`KEYS` is the one table that config parsing, ``--set``, the JSON ``config`` echo,
Hugging Face import, the site's config table and the README's key table read.  Each
key's value check is chosen by its ``type`` here; rules *across* keys (heads dividing,
experts) live in :mod:`flopdocs.config.config`.  Nothing here reads files or builds trees.
"""
from __future__ import annotations

from sympy import Symbol

from flopdocs.config import symbols as S
from flopdocs.config.checks import MAX_INT, check_int, check_text
from flopdocs.config.key import REQUIRED, Getter, Key, hf_names as _hf
from flopdocs.config.keys_zoo import STACK_KEYS, ZOO_ATTENTION_KEYS

__all__ = ["KEYS", "BY_NAME", "Key", "REQUIRED", "Getter", "MAX_INT", "check_int", "check_text"]

FFNS = ("relu", "gelu", "swiglu", "geglu")
GATED_FFNS = ("swiglu", "geglu")
NORMS = ("layernorm", "rmsnorm", "layernorm-no-bias", "layernorm-no-params")
BLOCKS = ("sequential", "parallel", "parallel-one-norm")
NORM_POSITIONS = ("pre", "post", "sandwich")
QK_NORMS = ("none", "head", "heads", "width")
POSITIONS = ("learned", "sinusoidal", "rope", "alibi", "relative", "t5-relative", "none")
T5_RELATIVE = "t5-relative"  # T5's bucketed bias (Raffel et al. 2020), not Transformer-XL's
T5_BUCKETS = 32  # relative_buckets' default with t5-relative (T5Config's relative_attention_num_buckets)
MIN_BUCKETS = 4  # the fewest relative_buckets: T5 halves them per direction, then keeps half exact
ARCHITECTURES = ("decoder", "encoder", "encoder-decoder")


def _d_head(get: Getter) -> int | None:
    d, h = get("d_model"), get("n_heads")
    return d // h if not d % h else None


def _max_positions(get: Getter) -> int:
    if get("architecture") == "encoder-decoder":
        return max(get("l_src"), get("l_tgt"))
    return get("l")


KEYS: tuple[Key, ...] = (
    Key("name", "text", "metadata", "display name (its slug names the model's page and file)",
        REQUIRED, hf=_hf(("_name_or_path",), ("_name_or_path",), ("_name_or_path",))),
    Key("source", "text", "metadata", "citation of the published config", "",
        default_doc="none", hf=_hf(("_name_or_path",), ("_name_or_path",), ("_name_or_path",))),
    Key("params_published", "count", "metadata",
        "the parameter count the source states (never evaluated; shown beside ours)", None),
    Key("l", "int", "dimension", "tokens per sequence (at most `max_positions` with learned positions)",
        REQUIRED, symbol=S.l, hf=_hf(("n_positions", "n_ctx"), ("max_position_embeddings",), ("n_positions",))),
    Key("d_model", "int", "dimension", "width of the residual stream", REQUIRED, symbol=S.d_model,
        hf=_hf(("n_embd",), ("hidden_size",), ("d_model",))),
    Key("d_ff", "int", "dimension", "hidden width of the feed-forward network", REQUIRED,
        symbol=S.d_ff, hf=_hf(("n_inner",), ("intermediate_size",), ("d_ff",))),
    Key("n_vocab", "int", "dimension", "vocabulary size", REQUIRED, symbol=S.n_vocab,
        hf=_hf(("vocab_size",), ("vocab_size",), ("vocab_size",))),
    Key("n_layers", "int", "dimension", "number of blocks", REQUIRED, symbol=S.n_layers,
        hf=_hf(("n_layer",), ("num_hidden_layers",), ("num_layers",))),
    Key("n_heads", "int", "dimension",
        "attention heads; d_model must be divisible by n_heads unless d_head is given", REQUIRED,
        symbol=S.n_heads, hf=_hf(("n_head",), ("num_attention_heads",), ("num_heads",))),
    Key("N", "int", "dimension", "number of sequences (the seed's multiplier)", 1, symbol=S.N),
    Key("architecture", "enum", "architecture",
        "`encoder`: bidirectional self-attention (no `+ mask`), no LM head unless `lm_head: true` "
        "(BERT). `encoder-decoder`: an encoder stack, a decoder stack whose blocks add "
        "`CrossAttention`, one shared word embedding (Vaswani et al.; T5).",
        "decoder", choices=ARCHITECTURES),
    Key("n_kv_heads", "int", "architecture",
        "grouped-query attention (`GroupedQueryAttention`): K and V projections (and the KV cache) "
        "have `n_kv_heads` heads, which must divide `n_heads`; 1 is multi-query.",
        lambda get: get("n_heads"), default_doc="`n_heads`", symbol=S.n_kv_heads,
        hf=_hf(llama=("num_key_value_heads",))),
    Key("d_head", "int", "architecture",
        "explicit head width when `n_heads * d_head != d_model` (PaLM; T5's `d_kv`).", _d_head,
        default_doc="`d_model / n_heads`", symbol=S.d_head, hf=_hf(llama=("head_dim",), t5=("d_kv",))),
    Key("ffn", "enum", "architecture",
        "`relu`/`gelu`: `PositionWiseFFN` (activations are not counted, so the same cost); "
        "`swiglu`/`geglu`: `GatedFFN`, three matrices and the `gate * up` product.",
        "relu", choices=FFNS, hf=_hf(("activation_function",), ("hidden_act",), ("feed_forward_proj",))),
    Key("norm", "enum", "architecture",
        "`rmsnorm`: `RMSNorm` (γ only, counted row by row) for every norm; `layernorm-no-bias`: `LayerNorm` "
        "with γ, no β (nanoGPT `bias=False`, Cohere); `layernorm-no-params`: neither (OLMo).", "layernorm", choices=NORMS),
    Key("position", "enum", "architecture",
        "`learned`: the seed's `X_word + X_pos` and a `max_positions × d_model` table; `sinusoidal`: same "
        "addition, no parameters; `rope`: `RotaryEmbedding` of q and k in every layer; `alibi`: "
        "`+ alibi` on every score; `relative`: Transformer-XL (Gopher, Chinchilla) with its "
        "`R * W_R` projection and position scores; `t5-relative`: T5 (Raffel et al. 2020): a "
        "`relative_buckets × n_heads` bias table per stack, its entry added to every score "
        "(`+ position bias`), the scores not divided by √d_k, and with `tie_embeddings` the "
        "decoder output scaled by d_model^-½ before the LM head; `none`: nothing.",
        "learned", choices=POSITIONS),
    Key("relative_buckets", "int", "architecture",
        "`position: t5-relative` only: buckets of relative distance, the rows of each stack's "
        "bias table (T5: 32; at least 4).",
        lambda get: T5_BUCKETS if get("position") == T5_RELATIVE else None,
        default_doc="`32` with `t5-relative`", symbol=S.n_buckets,
        hf=_hf(t5=("relative_attention_num_buckets",))),
    Key("bias_every_layer", "bool", "architecture",
        "`position: t5-relative` only: every block has its own bias table (UMT5), not one per "
        "stack: `relative_buckets × n_heads` parameters per block.", False),
    Key("max_positions", "int", "architecture",
        "rows of the learned position table (`position: learned`): the longest input the model "
        "takes, independent of the run's `l`; `l` (or `l_src`, `l_tgt`) above it is an error.",
        _max_positions, default_doc="`l` (encoder-decoder: the larger of `l_src`, `l_tgt`)",
        symbol=S.max_positions, hf=_hf(("n_positions", "n_ctx"), ("max_position_embeddings",))),
    Key("attn_bias", "bool", "architecture",
        "biases on the Q, K, V projections, added once per token.", False,
        hf=_hf(llama=("attention_bias",))),
    Key("attn_out_bias", "bool", "architecture",
        "bias on the output projection W_O (Qwen2: `attn_bias: true`, `attn_out_bias: false`).",
        lambda get: get("attn_bias"), default_doc="`attn_bias`"),
    Key("ffn_bias", "bool", "architecture",
        "the FFN's biases (the seed's `+ b1`, `+ b2`, counted once per layer as the seed does).",
        True, hf=_hf(llama=("mlp_bias",))),
    Key("tie_embeddings", "bool", "architecture",
        "the LM head is the word embedding: its FLOPs stay, its parameters are counted once. "
        "Needs an LM head.", lambda get: get("architecture") == "encoder",
        default_doc="`false`; `true` for `encoder` (BERT's MLM decoder)",
        hf=_hf(("tie_word_embeddings",), ("tie_word_embeddings",), ("tie_word_embeddings",))),
    Key("lm_head", "bool", "architecture", "whether `ProjectToVocab` exists.",
        lambda get: get("architecture") != "encoder", default_doc="`true`; `false` for `encoder`"),
    Key("token_types", "int", "architecture",
        "BERT's token-type (segment) table: `token_types × d_model` parameters, added to every "
        "embedding (`+ X_type`).", None, symbol=S.n_token_types, hf={"bert": ("type_vocab_size",)}),
    Key("pooler", "bool", "architecture",
        "BERT's `Pooler`: a dense layer (d_model² + d_model) and tanh on the first token.",
        lambda get: get("architecture") == "encoder" and not get("lm_head"),
        default_doc="`true` for `encoder` without `lm_head`, as BertModel"),
    Key("lm_head_transform", "bool", "architecture",
        "BERT's masked-LM head: `LMHeadTransform` (dense, activation, LayerNorm) before "
        "`ProjectToVocab`, and the decoder's bias `+ b_LM` (n_vocab). Needs `lm_head`.",
        lambda get: get("architecture") == "encoder", default_doc="`true` for `encoder`"),
    Key("n_experts", "int", "architecture",
        "every FFN becomes a `MixtureOfExperts`: router matmul, softmax, k experts per token, "
        "weighted sum. `experts_per_token` is required with `n_experts`.", None,
        symbol=S.n_experts, hf=_hf(llama=("num_local_experts", "num_experts"))),
    Key("experts_per_token", "int", "architecture",
        "the top-k of each token's routing, 1 ≤ k ≤ `n_experts`.", None,
        symbol=S.experts_per_token, hf=_hf(llama=("num_experts_per_tok",))),
    Key("d_ff_expert", "int", "architecture", "one expert's hidden width; needs `n_experts`.",
        lambda get: get("d_ff") if get("n_experts") is not None else None,
        default_doc="`d_ff`", symbol=S.d_ff_expert),
    *ZOO_ATTENTION_KEYS,
    Key("window", "int", "architecture",
        "sliding-window attention: each query scores `min(l, window)` keys (`WindowedAttention`); "
        "with `window ≥ l` the tree is full attention. Not for encoder-decoder.", None,
        symbol=S.window, hf=_hf(llama=("sliding_window",))),
    *STACK_KEYS,
    Key("block", "enum", "architecture",
        "`parallel`: attention and FFN read the same input, `X + Attn(Norm₁(X)) + FFN(Norm₂(X))` "
        "(GPT-NeoX `use_parallel_residual`, Falcon `new_decoder_architecture`); `parallel-one-norm`: "
        "one norm feeds both (GPT-J, Falcon 7B, Phi, Cohere, PaLM).", "sequential", choices=BLOCKS),
    Key("norm_position", "enum", "architecture",
        "`post`: each sub-layer's output is normalised inside the residual, `X + Norm(f(X))`, "
        "no norm before it (OLMo 2; same count as `pre`); `sandwich`: both, four norms per "
        "block (Gemma 2, Gemma 3).", "pre", choices=NORM_POSITIONS),
    Key("qk_norm", "enum", "architecture",
        "a norm (of the `norm` kind) on queries and keys after their projection: `head`: per "
        "head, one γ of d_head shared by the heads (Qwen3, Gemma 3); `heads`: per head, each "
        "head its own γ (Cohere, StableLM); `width`: over the whole n_heads·d_head width "
        "(OLMo 2).", "none", choices=QK_NORMS),
    Key("rotary_dim", "int", "architecture",
        "partial rotary (`position: rope`): the first `rotary_dim` of each head's d_head "
        "channels are rotated (GPT-J `rotary_dim`; GPT-NeoX, Phi `d_head · partial_rotary_factor`).",
        None, symbol=S.d_rot, hf={"gptj": ("rotary_dim",)}),
    Key("embedding_scale", "bool", "architecture",
        "the embeddings are multiplied by √d_model (Gemma): `X * sqrt(d_model)`, l · d_model FLOPs.", False),
    Key("embedding_norm", "bool", "architecture",
        "a norm after the embeddings (BLOOM `word_embeddings_layernorm`, BART `layernorm_embedding`).", False),
    Key("position_offset", "int", "architecture",
        "`position: learned`: the table has `max_positions + position_offset` rows, the first "
        "never used (OPT: 2; RoBERTa: padding_idx + 1).", None, symbol=S.position_offset),
    Key("attn_softcap", "bool", "architecture", "every attention score is soft-capped, `c · tanh(s / c)` "
        "(Gemma 2 `attn_logit_softcapping`): 3 FLOPs per score.", False),
    Key("logit_softcap", "bool", "architecture", "every logit is soft-capped, `c · tanh(z / c)` "
        "(Gemma 2 `final_logit_softcapping`): 3 FLOPs per logit.", False),
    Key("residual_scale", "bool", "architecture", "each sub-layer's output is multiplied by a constant "
        "before its residual addition (Granite `residual_multiplier`): 2 · l · d_model per block.", False),
    Key("logit_scale", "bool", "architecture", "the logits are multiplied by a constant (Cohere "
        "`logit_scale`, Granite `logits_scaling`): l · n_vocab.", False),
    Key("lm_head_bias", "bool", "architecture",
        "a bias on the LM head, `+ b_LM` (n_vocab parameters; GPT-J, Phi). Needs an LM head.", False),
    Key("n_encoder_layers", "int", "architecture", "encoder-decoder only: encoder blocks.",
        lambda get: get("n_layers"), default_doc="`n_layers`", symbol=S.n_encoder_layers, only="encoder-decoder"),
    Key("n_decoder_layers", "int", "architecture", "encoder-decoder only: decoder blocks.",
        lambda get: get("n_layers"), default_doc="`n_layers`", symbol=S.n_decoder_layers,
        hf=_hf(t5=("num_decoder_layers",)), only="encoder-decoder"),
    Key("l_src", "int", "architecture", "encoder-decoder only: source tokens per sequence.",
        lambda get: get("l"), default_doc="`l`", symbol=S.l_src, only="encoder-decoder"),
    Key("l_tgt", "int", "architecture", "encoder-decoder only: target tokens per sequence.",
        lambda get: get("l"), default_doc="`l`", symbol=S.l_tgt, only="encoder-decoder"),
    Key("notes", "lines", "metadata", "shown on the model's page (never evaluated)", "",
        default_doc="none"),
)

#: name -> Key, in the table's order (the order YAML files, reports and pages use).
BY_NAME: dict[str, Key] = {k.name: k for k in KEYS}
#: The dimensions every config must give, in display order.
REQUIRED_INTS = tuple(k.name for k in KEYS if k.required and k.type == "int")
#: The dimensions a config's ``values`` holds (required ones, then N).
DIMENSION_KEYS = tuple(k.name for k in KEYS if k.group == "dimension")
#: The architecture keys, in the order YAML files and reports write them.
KNOB_ORDER = tuple(k.name for k in KEYS if k.group == "architecture")
#: Keys only an encoder-decoder takes.
ENCODER_DECODER_ONLY = tuple(k.name for k in KEYS if k.only == "encoder-decoder")
#: config key -> symbol: the six seed dimensions, in the seed's order.
DIMENSIONS: dict[str, Symbol] = {k.name: k.symbol for k in KEYS if k.required and k.symbol is not None}
#: optional numeric architecture key -> symbol, in display order.
KNOBS: dict[str, Symbol] = {k.name: k.symbol for k in KEYS
                            if k.group == "architecture" and k.symbol is not None}


def symbol(key: str) -> Symbol:
    """The symbol of a numeric config key (``"d_model"`` -> ``d_{model}``)."""
    sym = BY_NAME[key].symbol
    if sym is None:
        raise KeyError(key)
    return sym


def key_of(sym: Symbol) -> str:
    """The config key of a symbol (inverse of :func:`symbol`)."""
    for k in KEYS:
        if k.symbol == sym:
            return k.name
    raise KeyError(sym)


def markdown_table() -> str:
    """The README's key table, made from :data:`KEYS` (a test keeps the README equal to it)."""
    rows = ["| key | values (default) | what it means | Hugging Face field |", "|---|---|---|---|"]
    for k in KEYS:
        rows.append(f"| `{k.name}` | {k.values_doc} | {k.doc} | {_hf_doc(k)} |")
    return "\n".join(rows) + "\n"


def _hf_doc(k: Key) -> str:
    """``a``, ``b`` (the first given wins), per family when the families differ."""
    lists = {family: ", ".join(f"`{f}`" for f in names) for family, names in k.hf.items()}
    if not lists:
        return "–"
    if len(set(lists.values())) == 1:
        return next(iter(lists.values()))
    return "; ".join(f"{family}: {text}" for family, text in lists.items())


if __name__ == "__main__":  # python -m flopdocs.config.keys: the README's table
    print(markdown_table(), end="")
