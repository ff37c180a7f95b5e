"""Hugging Face ``config.json`` -> our config: a pure mapping, checked field by field.

Supported ``model_type``: gpt2, llama, mistral, mixtral, qwen2.  Each field we map is
listed in :data:`FIELDS`; a field that would change the count in a way we cannot model
(sliding-window attention on some layers only, cross-attention in GPT-2, an unknown
activation) is a :class:`~flopdocs.config.ConfigError`, never a silent guess.  Fields
that do not change the counts (dropout, rope_scaling, rope_theta, token ids, dtypes)
are ignored.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import (KNOB_ENUMS, KNOB_ORDER, MAX_INT, REQUIRED_INTS, Config, ConfigError, check_int,
                     key_text, parse, read_text, shown)

MODEL_TYPES = ("gpt2", "llama", "mistral", "mixtral", "qwen2")
_LLAMA_LIKE = ("llama", "mistral", "mixtral", "qwen2")

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


def _check_layer_types(hf: Mapping[str, Any], origin: str) -> None:
    kinds = hf.get("layer_types")
    if isinstance(kinds, list) and len(set(map(str, kinds))) > 1:
        raise ConfigError(f"{origin}: layer_types: layers of different kinds "
                          f"({', '.join(sorted(set(map(str, kinds))))}) are not modelled")


def to_data(hf: Any, origin: str, name: str | None = None) -> dict[str, Any]:
    """The config mapping (as our YAML holds it) for a Hugging Face config dict."""
    if not isinstance(hf, Mapping):
        raise ConfigError(f"{origin}: expected a JSON object, got {type(hf).__name__}")
    model_type = hf.get("model_type")
    if model_type not in MODEL_TYPES:
        raise ConfigError(f"{origin}: model_type: {shown(model_type)} is not supported "
                          f"(supported: {', '.join(MODEL_TYPES)})")
    _check_layer_types(hf, origin)
    path_name = _str(hf, origin, "_name_or_path", None)
    if name is None:
        name = (path_name.rstrip("/").rsplit("/", 1)[-1] if path_name
                else Path(origin).parent.name or model_type)
    source = f"Hugging Face config.json (model_type {model_type})"
    if path_name:
        source += f", {path_name}"
    data: dict[str, Any] = {"name": name, "source": source}
    if model_type == "gpt2":
        data.update(_gpt2(hf, origin))
    else:
        data.update(_llama_like(hf, origin, model_type))
    return data


def _gpt2(hf: Mapping[str, Any], origin: str) -> dict[str, Any]:
    if hf.get("add_cross_attention"):
        raise ConfigError(f"{origin}: add_cross_attention: GPT-2 with cross-attention is not modelled")
    act = _str(hf, origin, "activation_function", "gelu_new")
    if act == "relu":
        ffn = "relu"
    elif act.startswith("gelu"):
        ffn = "gelu"
    else:
        raise ConfigError(f"{origin}: activation_function: {shown(act)} is not supported (relu, gelu*)")
    d = _int(hf, origin, "n_embd")
    out = {
        "l": _int(hf, origin, "n_positions", "n_ctx"),
        "d_model": d,
        "d_ff": _int(hf, origin, "n_inner", default=None) or _four_times(origin, d),
        "n_vocab": _int(hf, origin, "vocab_size"),
        "n_layers": _int(hf, origin, "n_layer"),
        "n_heads": _int(hf, origin, "n_head"),
        "ffn": ffn,
        "attn_bias": True,
        "tie_embeddings": _bool(hf, origin, "tie_word_embeddings", True),
    }
    return out


def _four_times(origin: str, d: int) -> int:
    """GPT-2's d_ff when ``n_inner`` is null or absent: 4 · n_embd."""
    if 4 * d > MAX_INT:
        raise ConfigError(f"{origin}: n_embd: 4 · n_embd (the FFN width when n_inner is absent) "
                          f"must be at most 2**53 = {MAX_INT}")
    return 4 * d


def _llama_like(hf: Mapping[str, Any], origin: str, model_type: str) -> dict[str, Any]:
    act = _str(hf, origin, "hidden_act", "silu")
    if act in ("silu", "swish"):
        ffn = "swiglu"
    elif act.startswith("gelu"):
        ffn = "geglu"
    else:
        raise ConfigError(f"{origin}: hidden_act: {shown(act)} is not supported (silu, gelu*)")
    heads = _int(hf, origin, "num_attention_heads")
    l = _int(hf, origin, "max_position_embeddings")
    out: dict[str, Any] = {
        "l": l,
        "d_model": _int(hf, origin, "hidden_size"),
        "d_ff": _int(hf, origin, "intermediate_size"),
        "n_vocab": _int(hf, origin, "vocab_size"),
        "n_layers": _int(hf, origin, "num_hidden_layers"),
        "n_heads": heads,
    }
    kv = _int(hf, origin, "num_key_value_heads", default=heads)
    if kv != heads:
        out["n_kv_heads"] = kv
    head_dim = _int(hf, origin, "head_dim", default=None)
    if head_dim is not None:
        out["d_head"] = head_dim
    out.update(ffn=ffn, norm="rmsnorm", position="rope")
    if model_type == "qwen2":
        # Qwen2: biases on q, k, v only (modeling_qwen2: q/k/v_proj bias=True, o_proj False).
        out.update(attn_bias=True, attn_out_bias=False)
    elif model_type == "llama" and _bool(hf, origin, "attention_bias", False):
        out["attn_bias"] = True
    mlp_bias = model_type == "llama" and _bool(hf, origin, "mlp_bias", False)
    out["ffn_bias"] = mlp_bias
    if _bool(hf, origin, "tie_word_embeddings", False):
        out["tie_embeddings"] = True
    if model_type == "mixtral":
        out["n_experts"] = _int(hf, origin, "num_local_experts", "num_experts")
        out["experts_per_token"] = _int(hf, origin, "num_experts_per_tok")
    window = _int(hf, origin, "sliding_window", default=None)
    if model_type == "mistral" and "sliding_window" not in hf:
        window = 4096  # MistralConfig's default when the key is absent (null means none)
    if model_type in ("mistral", "mixtral") and window is not None:
        out["window"] = window
    if model_type == "qwen2" and _bool(hf, origin, "use_sliding_window", False) and window is not None:
        # Qwen2Config: layer i slides iff i >= max_window_layers (default 28), so the window
        # covers all layers (0), none (>= num_hidden_layers), or only some (not modelled).
        n_layers = out["n_layers"]
        first = _int0(hf, origin, "max_window_layers", default=28)
        if first == 0:
            out["window"] = window
        elif first < n_layers:  # refused even when window >= l: --set l=... could make it bind
            raise ConfigError(
                f"{origin}: max_window_layers: sliding-window attention on layers {first} to "
                f"{n_layers - 1} only (use_sliding_window is true, {n_layers} layers) is not modelled")
    return out


def read(path: str | Path) -> Any:
    """A ``config.json`` file's JSON, with one-line errors."""
    origin = str(path)
    text = read_text(path, "a config.json")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{origin}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except _DuplicateJSONKey as e:
        raise ConfigError(f"{origin}: {key_text(e.args[0])}: given twice") from None
    except ValueError:  # an int of more than 4300 digits (sys.int_info.default_max_str_digits)
        raise ConfigError(f"{origin}: a number is too long to read (more than 4300 digits)") from None
    except RecursionError:
        raise ConfigError(f"{origin}: malformed JSON: nested too deeply") from None


class _DuplicateJSONKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: a key given twice is an error (json alone keeps the last)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateJSONKey(key)
        out[key] = value
    return out


#: Our config keys -> the config.json field each comes from, for messages.
_GPT2_FIELDS = {"l": "n_positions", "d_model": "n_embd", "d_ff": "n_inner", "n_vocab": "vocab_size",
                "n_layers": "n_layer", "n_heads": "n_head"}
_LLAMA_FIELDS = {"l": "max_position_embeddings", "d_model": "hidden_size", "d_ff": "intermediate_size",
                 "n_vocab": "vocab_size", "n_layers": "num_hidden_layers",
                 "n_heads": "num_attention_heads", "n_kv_heads": "num_key_value_heads",
                 "d_head": "head_dim", "n_experts": "num_local_experts",
                 "experts_per_token": "num_experts_per_tok", "window": "sliding_window"}


def load(path: str | Path, name: str | None = None) -> Config:
    """Read a Hugging Face ``config.json`` into a validated :class:`Config`."""
    origin = str(path)
    hf = read(path)
    data = to_data(hf, origin, name)
    try:
        return parse(data, origin)
    except ConfigError as e:  # a rule across fields (heads dividing, experts): name the file's field
        fields = dict(_GPT2_FIELDS if hf.get("model_type") == "gpt2" else _LLAMA_FIELDS)
        fields["source"] = "_name_or_path"
        if name is None and hf.get("_name_or_path"):
            fields["name"] = "_name_or_path"
        head, sep, rest = str(e).partition(f"{origin}: ")
        key, colon, problem = rest.partition(": ")
        if head or not sep or key not in fields:
            raise
        raise ConfigError(f"{origin}: {fields[key]} ({key}): {problem}") from None


_BARE = re.compile(r"[a-z][a-z0-9-]*")

#: The order import-hf writes keys in.
YAML_ORDER = ("name", "source", "params_published", *REQUIRED_INTS, "N", *KNOB_ORDER, "notes")


def to_yaml(data: Mapping[str, Any]) -> str:
    """Our YAML for a config mapping: fixed key order, one ``key: value`` per line.

    Strings are written as JSON strings (valid YAML, every character escaped), so the
    output reads back to the same mapping and is byte-identical for the same input.
    """
    lines = ["# Imported from a Hugging Face config.json by `flopdocs import-hf`."]
    for key in YAML_ORDER:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        elif value is None:
            text = "null"
        elif key in KNOB_ENUMS and _BARE.fullmatch(str(value)):
            text = str(value)  # an enum word: swiglu, rmsnorm, encoder-decoder
        else:
            text = json.dumps(str(value), ensure_ascii=False)
        lines.append(f"{key}: {text}")
    return "\n".join(lines) + "\n"
