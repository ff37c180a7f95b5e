"""Hugging Face ``config.json`` -> our config: a pure mapping, checked field by field.

Supported ``model_type``: gpt2, bert, llama, mistral, mixtral, qwen2, t5, mt5 here, and the
types :mod:`flopdocs.config.hf_zoo` reads (gpt_neox, falcon, qwen3, gemma, ...).  A field that
would change the count in a way we cannot model (cross-attention in GPT-2, an unknown activation) is a :class:`~flopdocs.config.config.ConfigError`, never a silent guess.  Fields
that do not change the counts (dropout, rope_scaling, rope_theta, token ids, dtypes)
are ignored.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flopdocs.config.config import Config, parse
from flopdocs.config.hf_fields import Fields, check_layer_types, to_yaml
from flopdocs.config.hf_moe import READERS as MOE_READERS, TEXT_CONFIGS
from flopdocs.config.hf_zoo import READERS

__all__ = ["FAMILIES", "MODEL_TYPES", "T5_DEFAULTS", "T5_FFN", "family", "fields", "load", "to_data", "to_yaml"]
from flopdocs.errors import ConfigError, shown
from flopdocs.config.keys import BY_NAME, KEYS, MAX_INT, T5_BUCKETS, T5_RELATIVE, check_int
from flopdocs.base.readers import read_json
from flopdocs.config.hf_values import check_values

MODEL_TYPES = ("gpt2", "llama", "mistral", "mixtral", "qwen2", "bert", "t5", "mt5", "umt5", *READERS,
               *MOE_READERS)
#: multimodal model types whose text_config is read as this text model
MULTIMODAL = TEXT_CONFIGS
#: the types whose readers count their layer_types themselves (local and global blocks)
LAYER_TYPES_READ = ("gemma2", "gemma3_text", "smollm3", "modernbert", "qwen2", *MOE_READERS)
#: The model types read by their own field names in :data:`flopdocs.config.keys.KEYS`; the rest are llama's.
FAMILIES = ("gpt2", "bert", "t5")


def family(model_type: Any) -> str:
    """The family whose field names :data:`flopdocs.config.keys.KEYS` declares: gpt2, bert, t5 or llama."""
    model_type = "t5" if model_type in ("mt5", "umt5") else model_type
    return model_type if model_type in FAMILIES else "llama"


def fields(key: str, model_type: Any) -> tuple[str, ...]:
    """The config.json fields our ``key`` is read from, for this model type (first wins);
    BERT's are llama's (hidden_size, ...) but for its own."""
    names = BY_NAME[key].hf_fields(family(model_type))
    return names or (BY_NAME[key].hf_fields("llama") if model_type == "bert" else ())

_MISSING = object()


def _field(hf: Mapping[str, Any], origin: str, *names: str, default: Any = _MISSING) -> tuple[str, Any]:
    """The first of ``names`` the file gives (not null), as (field, value)."""
    for n in names:
        if n in hf and hf[n] is not None:
            return n, hf[n]
    if default is _MISSING:
        raise ConfigError(f"{origin}: {names[0]}: missing (needed for {shown(hf.get('model_type'))})")
    return names[0], default


def _int(hf: Mapping[str, Any], origin: str, *names: str, default: Any = _MISSING) -> Any:
    """An int field, checked here (as parse() checks it again) so a message names the
    file's own field, not ours."""
    field, value = _field(hf, origin, *names, default=default)
    return value if value is default else check_int(origin, field, value)


def _optional(hf: Mapping[str, Any], origin: str, name: str, default: Any, valid, expected: str) -> Any:
    """An optional field: ``default`` when absent or null, else a value ``valid`` accepts."""
    value = hf.get(name)
    if value is None:
        return default
    if not valid(value):
        raise ConfigError(f"{origin}: {name}: must be {expected}, got {shown(value)}")
    return value


def _str(hf: Mapping[str, Any], origin: str, name: str, default: str | None) -> str | None:
    return _optional(hf, origin, name, default, lambda v: isinstance(v, str), "a string")


def _int0(hf: Mapping[str, Any], origin: str, name: str, default: int) -> int:
    """A count that may be 0 (e.g. max_window_layers)."""
    return _optional(hf, origin, name, default,
                     lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                     "a whole number, at least 0")


def _bool(hf: Mapping[str, Any], origin: str, name: str, default: bool) -> bool:
    return _optional(hf, origin, name, default, lambda v: isinstance(v, bool), "true or false")


def to_data(hf: Any, origin: str, name: str | None = None) -> dict[str, Any]:
    """The config mapping (as our YAML holds it) for a Hugging Face config dict."""
    if not isinstance(hf, Mapping):
        raise ConfigError(f"{origin}: expected a JSON object, got {type(hf).__name__}")
    model_type, outer = hf.get("model_type"), hf
    if model_type in MULTIMODAL and isinstance(hf.get("text_config"), Mapping):
        hf = {**hf["text_config"], "model_type": MULTIMODAL[model_type], "_name_or_path": hf.get("_name_or_path")}
        model_type = hf["model_type"]
    if model_type not in MODEL_TYPES:
        raise ConfigError(f"{origin}: model_type: {shown(model_type)} is not supported "
                          f"(supported: {', '.join(MODEL_TYPES)})")
    check_values(hf, origin, mixed_layer_types=model_type in LAYER_TYPES_READ)  # each field's type
    path_name = _str(hf, origin, "_name_or_path", None)
    if name is None:
        name = (path_name.rstrip("/").rsplit("/", 1)[-1] if path_name
                else Path(origin).parent.name or model_type)
    source = f"Hugging Face config.json (model_type {model_type})"
    if hf is not outer:
        source = (f"Hugging Face config.json (model_type {outer['model_type']}): its text_config, read as "
                  f"its text model (model_type {model_type}; the other towers are not counted)")
    if path_name:
        source += f", {path_name}"
    data: dict[str, Any] = {"name": name, "source": source}
    if model_type == "gpt2":
        data.update(_gpt2(hf, origin))
    elif model_type == "bert":
        data.update(_bert(hf, origin))
    elif model_type in ("t5", "mt5", "umt5"):
        data.update(_t5(hf, origin), **({"bias_every_layer": True} if model_type == "umt5" else {}))
    elif model_type in READERS:
        data.update(READERS[model_type](Fields(hf, origin)))
    elif model_type in MOE_READERS:
        data.update(MOE_READERS[model_type](Fields(hf, origin)))
    else:
        data.update(_llama_like(hf, origin, model_type))
    return data


def _gpt2(hf: Mapping[str, Any], origin: str) -> dict[str, Any]:
    if hf.get("add_cross_attention"):
        raise ConfigError(f"{origin}: add_cross_attention: GPT-2 with cross-attention is not modelled")
    act = _str(hf, origin, *fields("ffn", "gpt2"), "gelu_new")
    if act == "relu":
        ffn = "relu"
    elif act.startswith("gelu"):
        ffn = "gelu"
    else:
        raise ConfigError(f"{origin}: activation_function: {shown(act)} is not supported (relu, gelu*)")
    d = _int(hf, origin, *fields("d_model", "gpt2"))
    out = {key: _int(hf, origin, *fields(key, "gpt2")) for key in ("l", "d_model")}
    out["d_ff"] = _int(hf, origin, *fields("d_ff", "gpt2"), default=None) or _four_times(origin, d)
    out.update({key: _int(hf, origin, *fields(key, "gpt2")) for key in ("n_vocab", "n_layers", "n_heads")})
    out["max_positions"] = out["l"]  # the table's rows stay n_positions whatever --set l= says
    out.update(ffn=ffn, attn_bias=True,
               tie_embeddings=_bool(hf, origin, *fields("tie_embeddings", "gpt2"), True))
    return out


def _bert(hf: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """BertModel (pooler, no LM head); ``--set lm_head=true`` is BertForMaskedLM."""
    act = _str(hf, origin, "hidden_act", "gelu")
    if act not in ("relu", "gelu", "gelu_new", "gelu_python"):
        raise ConfigError(f"{origin}: hidden_act: {shown(act)} is not supported (relu, gelu*)")
    kind = _str(hf, origin, "position_embedding_type", "absolute")
    if kind != "absolute":
        raise ConfigError(f"{origin}: position_embedding_type: {shown(kind)} is not modelled (absolute)")
    if hf.get("is_decoder") or hf.get("add_cross_attention"):
        raise ConfigError(f"{origin}: is_decoder: BERT as a decoder is not modelled")
    out = {key: _int(hf, origin, *fields(key, "bert")) for key in
           ("l", "d_model", "d_ff", "n_vocab", "n_layers", "n_heads")}
    out.update(max_positions=out["l"], architecture="encoder",
               ffn="relu" if act == "relu" else "gelu", attn_bias=True,
               token_types=_int(hf, origin, *fields("token_types", "bert"), default=2))
    return out


#: T5's feed_forward_proj -> our ffn (T5Config: "act" or "gated-act"; gated-gelu is gelu_new)
T5_FFN = {"relu": "relu", "gelu": "gelu", "gelu_new": "gelu", "gated-gelu": "geglu",
          "gated-gelu_new": "geglu", "gated-silu": "swiglu"}
#: T5Config's defaults for absent fields, by our key (l: T5's pre-training input length)
T5_DEFAULTS = {"l": 512, "d_head": 64, "relative_buckets": T5_BUCKETS}


def _t5(hf: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """T5ForConditionalGeneration (T5Config's defaults); v1.1: gated-gelu, untied."""
    proj = _str(hf, origin, *fields("ffn", "t5"), "relu")
    if proj not in T5_FFN:
        raise ConfigError(f"{origin}: feed_forward_proj: {shown(proj)} is not supported "
                          f"({', '.join(T5_FFN)})")
    if hf.get("is_decoder"):
        raise ConfigError(f"{origin}: is_decoder: a T5 stack alone is not modelled")
    if hf.get("is_encoder_decoder") is False or hf.get("architectures") == ["T5EncoderModel"]:
        raise ConfigError(f"{origin}: T5EncoderModel (is_encoder_decoder: false) is not modelled: "
                          "flopdocs counts T5ForConditionalGeneration")

    def field(key: str, **default: Any) -> Any:
        return _int(hf, origin, *fields(key, "t5"), **default)

    out: dict[str, Any] = {key: field(key) for key in ("d_model", "d_ff", "n_vocab", "n_layers", "n_heads")}
    out.update({key: field(key, default=value) for key, value in T5_DEFAULTS.items()})
    out.update(architecture="encoder-decoder", ffn=T5_FFN[proj], norm="rmsnorm", position=T5_RELATIVE,
               ffn_bias=False, tie_embeddings=_bool(hf, origin, *fields("tie_embeddings", "t5"), True)
               and hf.get("scale_decoder_outputs") is not False)  # transformers 5's way of saving v1.1
    if field("n_decoder_layers", default=out["n_layers"]) != out["n_layers"]:
        out["n_decoder_layers"] = field("n_decoder_layers")
    return out


def _four_times(origin: str, d: int) -> int:
    """GPT-2's d_ff when ``n_inner`` is null or absent: 4 · n_embd."""
    if 4 * d <= MAX_INT:
        return 4 * d
    raise ConfigError(f"{origin}: n_embd: 4 · n_embd (the FFN width when n_inner is absent) "
                      f"must be at most 2**53 = {MAX_INT}")


def _llama_like(hf: Mapping[str, Any], origin: str, model_type: str) -> dict[str, Any]:
    act = _str(hf, origin, *fields("ffn", model_type), "silu")
    if act in ("silu", "swish"):
        ffn = "swiglu"
    elif act.startswith("gelu"):
        ffn = "geglu"
    else:
        raise ConfigError(f"{origin}: hidden_act: {shown(act)} is not supported (silu, gelu*)")
    def field(key: str, **default: Any) -> Any:
        return _int(hf, origin, *fields(key, model_type), **default)

    out: dict[str, Any] = {key: field(key) for key in
                           ("l", "d_model", "d_ff", "n_vocab", "n_layers", "n_heads")}
    heads = out["n_heads"]
    kv = field("n_kv_heads", default=heads)
    if kv != heads:
        out["n_kv_heads"] = kv
    head_dim = field("d_head", default=None)
    if head_dim is not None:
        out["d_head"] = head_dim
    out.update(ffn=ffn, norm="rmsnorm", position="rope")
    if model_type == "qwen2":
        # Qwen2: biases on q, k, v only (modeling_qwen2: q/k/v_proj bias=True, o_proj False).
        out.update(attn_bias=True, attn_out_bias=False)
    elif model_type == "llama" and _bool(hf, origin, *fields("attn_bias", model_type), False):
        out["attn_bias"] = True
    mlp_bias = model_type == "llama" and _bool(hf, origin, *fields("ffn_bias", model_type), False)
    out["ffn_bias"] = mlp_bias
    if _bool(hf, origin, *fields("tie_embeddings", model_type), False):
        out["tie_embeddings"] = True
    if model_type == "mixtral":
        out["n_experts"] = field("n_experts")
        out["experts_per_token"] = field("experts_per_token")
    window = field("window", default=None)
    if model_type == "mistral" and "sliding_window" not in hf:
        window = 4096  # MistralConfig's default when the key is absent (null means none)
    if model_type in ("mistral", "mixtral") and window is not None:
        out["window"] = window
    if model_type == "qwen2" and _bool(hf, origin, "use_sliding_window", False) and window is not None:
        # Qwen2Config: layer i slides iff i >= max_window_layers (default 28), so the window
        # covers all layers (0), none (>= num_hidden_layers), or only some (not modelled).
        n_layers, first = out["n_layers"], _int0(hf, origin, "max_window_layers", default=28)
        if first < n_layers:  # layers first .. n_layers - 1 slide (Qwen2Config)
            out.update(window=window, window_layers=n_layers - first)
    return out


def load(path: str | Path, name: str | None = None) -> Config:
    """Read a Hugging Face ``config.json`` into a validated :class:`Config`."""
    origin = str(path)
    hf = read_json(path)
    data = to_data(hf, origin, name)
    try:
        return parse(data, origin)
    except ConfigError as e:  # a rule across fields (heads dividing, experts): name the file's field
        given = _given_field(hf, e.field, name)
        if e.origin != origin or given is None:
            raise
        raise e.with_field(f"{given} ({e.field})") from None


def _given_field(hf: Mapping[str, Any], key: str | None, name: str | None) -> str | None:
    """The config.json field our ``key`` came from: the first declared one the file gives."""
    if key not in BY_NAME or (key == "name" and name is not None):
        return None
    names = fields(key, hf.get("model_type"))
    fallback = names[0] if names and BY_NAME[key].type == "int" else None
    return next((n for n in names if hf.get(n) is not None), fallback)
