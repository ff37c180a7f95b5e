"""Reading a Hugging Face ``config.json`` field by field: :class:`Fields`, and what several readers share.

Every value is checked as a plain int, bool, string or number before it is used, and a
message names the file and its own field.  Nothing here knows a model type's defaults
(:mod:`flopdocs.config.hf_zoo` does) or parses our configs.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flopdocs.config.checks import check_int
from flopdocs.config.keys import BY_NAME, KEYS
from flopdocs.errors import ConfigError, shown

_MISSING = object()


@dataclass(frozen=True)
class Fields:
    """A config.json's fields, read one by one with the file named in every message."""
    hf: Mapping[str, Any]
    origin: str

    def given(self, *names: str) -> tuple[str, Any] | None:
        """The first of ``names`` the file gives (not null), as (field, value)."""
        return next(((n, self.hf[n]) for n in names if self.hf.get(n) is not None), None)

    def int(self, *names: str, default: Any = _MISSING) -> Any:
        found = self.given(*names)
        if found is None:
            if default is _MISSING:
                raise ConfigError(f"{self.origin}: {names[0]}: missing (needed for "
                                  f"{shown(self.hf.get('model_type'))})")
            return default
        return check_int(self.origin, *found)

    def _typed(self, name: str, default: Any, valid: Callable[[Any], bool], expected: str) -> Any:
        value = self.hf.get(name)
        if value is None:
            return default
        if not valid(value):
            raise ConfigError(f"{self.origin}: {name}: must be {expected}, got {shown(value)}")
        return value

    def text(self, name: str, default: str) -> str:
        return self._typed(name, default, lambda v: isinstance(v, str), "a string")

    def flag(self, name: str, default: bool) -> bool:
        return self._typed(name, default, lambda v: isinstance(v, bool), "true or false")

    def number(self, name: str, default: Any) -> Any:
        return self._typed(name, default, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
                           and v >= 0, "a number, at least 0")

    def refuse(self, name: str, why: str) -> None:
        raise ConfigError(f"{self.origin}: {name}: {why}")


# -- what several readers share --------------------------------------------------------

def check_layer_types(f: Fields) -> None:
    """``layer_types`` naming more than one kind of layer: not one repeated block."""
    kinds = f.hf.get("layer_types")
    if isinstance(kinds, list) and len(set(map(str, kinds))) > 1:
        f.refuse("layer_types", f"layers of different kinds ({', '.join(sorted(set(map(str, kinds))))}) "
                                "are not modelled")


def plain_ffn(f: Fields, name: str, default: str) -> str:
    """A two-matrix FFN's activation: relu or gelu (activations are not counted)."""
    act = f.text(name, default)
    if act == "relu":
        return "relu"
    if act.startswith("gelu"):
        return "gelu"
    return f.refuse(name, f"{shown(act)} is not supported (relu, gelu*)")


def gated_ffn(f: Fields, name: str, default: str) -> str:
    """A gated FFN's activation: silu (SwiGLU) or gelu (GeGLU)."""
    act = f.text(name, default)
    if act in ("silu", "swish"):
        return "swiglu"
    if act.startswith("gelu"):
        return "geglu"
    return f.refuse(name, f"{shown(act)} is not supported (silu, gelu*)")


def llama_dims(f: Fields, gqa: bool = True, head_dim: bool = True) -> dict[str, Any]:
    """The dimensions llama-like configs name alike (hidden_size, ...), and (``gqa``,
    ``head_dim``: the class reads them) num_key_value_heads and head_dim."""
    out = {"l": f.int("max_position_embeddings"), "d_model": f.int("hidden_size"),
           "d_ff": f.int("intermediate_size"), "n_vocab": f.int("vocab_size"),
           "n_layers": f.int("num_hidden_layers"), "n_heads": f.int("num_attention_heads")}
    if not head_dim and f.given("head_dim") and f.hf["head_dim"] * out["n_heads"] != out["d_model"]:
        f.refuse("head_dim", "this class's attention heads are hidden_size / num_attention_heads wide")
    if not gqa:
        return out
    kv = f.int("num_key_value_heads", default=out["n_heads"])
    if kv != out["n_heads"]:
        out["n_kv_heads"] = kv
    width = f.int("head_dim", default=None) if head_dim else None
    if width is not None:
        out["d_head"] = width
    return out


def _d_head(out: Mapping[str, Any]) -> int:
    return out.get("d_head", out["d_model"] // out["n_heads"])


def rotary(f: Fields, out: dict[str, Any], default: float, *names: str) -> None:
    """Partial rotary: rope_parameters' partial_rotary_factor (transformers 5), or the
    top-level field older files give; the rotated channels are int(d_head · factor), as
    the classes compute them."""
    params = f.hf.get("rope_parameters")
    factor = params.get("partial_rotary_factor") if isinstance(params, Mapping) else None
    if factor is None:
        factor = next((f.number(n, None) for n in names if f.hf.get(n) is not None), default)
    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 < factor <= 1:
        f.refuse(names[0] if names else "partial_rotary_factor",
                 f"must be a number in (0, 1], got {shown(factor)}")
    rot = int(_d_head(out) * factor)
    if rot < 1:
        f.refuse(names[0] if names else "partial_rotary_factor", "rotates no channel of a head")
    if rot != _d_head(out):
        out["rotary_dim"] = rot


def window_all_layers(f: Fields, out: dict[str, Any]) -> None:
    """``sliding_window`` on every layer (Phi-3, Starcoder2), if set."""
    window = f.int("sliding_window", default=None)
    if window is not None:
        out["window"] = window


def qwen_window(f: Fields, out: dict[str, Any]) -> None:
    """Qwen2/Qwen3: layer i slides iff use_sliding_window and i >= max_window_layers."""
    window = f.int("sliding_window", default=None)
    if not f.flag("use_sliding_window", False) or window is None:
        return
    first = f.hf.get("max_window_layers", 28)
    if first == 0:
        out["window"] = window
    elif isinstance(first, int) and first < out["n_layers"]:
        f.refuse("max_window_layers", f"sliding-window attention on layers {first} to "
                                      f"{out['n_layers'] - 1} only is not modelled here")


def tie(f: Fields, out: dict[str, Any], default: bool) -> None:
    if f.flag("tie_word_embeddings", default):
        out["tie_embeddings"] = True


def llama_like(f: Fields, act: str = "silu", head_dim: bool = True) -> dict[str, Any]:
    """The dimensions, a gated FFN, RMSNorm and rope, no biases: what most readers start from."""
    out = llama_dims(f, head_dim=head_dim)
    out.update(ffn=gated_ffn(f, "hidden_activation" if f.hf.get("hidden_activation") else "hidden_act", act),
               norm="rmsnorm", position="rope", ffn_bias=False)
    return out


def attention_bias(f: Fields, out: dict[str, Any]) -> None:
    if f.flag("attention_bias", False):
        out["attn_bias"] = True


def layer_kinds(f: Fields, n_layers: int, pattern: Callable[[int], bool] | None = None) -> int | None:
    """How many of the ``n_layers`` blocks slide: ``layer_types`` (transformers 5) if the file
    gives it, else ``pattern(i)`` (block i slides) from the older fields, else None."""
    kinds = f.hf.get("layer_types")
    if kinds is None:
        return None if pattern is None else sum(pattern(i) for i in range(n_layers))
    known = ("sliding_attention", "full_attention")
    if not isinstance(kinds, list) or len(kinds) != n_layers or any(k not in known for k in kinds):
        f.refuse("layer_types", f"must list {n_layers} of {', '.join(known)} (one per layer)")
    return kinds.count("sliding_attention")


def sliding(f: Fields, out: dict[str, Any], local: int | None) -> None:
    """``window`` and ``window_layers`` for ``local`` sliding blocks out of n_layers."""
    window = f.int("sliding_window", "local_attention", default=None)
    if local and window is not None:
        out["window"] = window
        if local != out["n_layers"]:
            out["window_layers"] = local


_BARE = re.compile(r"[a-z][a-z0-9-]*")

#: The order import-hf writes keys in: the table's.
YAML_ORDER = tuple(k.name for k in KEYS)


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
        elif BY_NAME[key].type == "enum" and _BARE.fullmatch(str(value)):
            text = str(value)  # an enum word: swiglu, rmsnorm, encoder-decoder
        else:
            text = json.dumps(str(value), ensure_ascii=False)
        lines.append(f"{key}: {text}")
    return "\n".join(lines) + "\n"
