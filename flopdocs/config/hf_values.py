"""The type of every Hugging Face ``config.json`` field flopdocs reads: one list of rules,
run by ``flopdocs import-hf`` (:func:`check_values`, called by
:func:`flopdocs.config.hf.to_data`) and by the calculator's paste (:func:`page_rules`, carried
into the page's ``index.js``; ``site_src/assets/calculator-hf.js`` runs the same list over the
pasted text's own number tokens, so ``4096.0``, ``3.2e4`` and ``9007199254740993`` are
refused there as here, though ``JSON.parse`` would read them as 4096, 32000 and 2**53).

A field absent or ``null`` is not checked (it is the default, as the mapping reads it).
Which value means what (an activation's name, a window on some layers only) is the
mapping's business (:mod:`flopdocs.config.hf`), not this module's.
"""
from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from flopdocs.base.readers import MAX_CONFIG_BYTES, MAX_JSON_DEPTH
from flopdocs.config.checks import MAX_INT, check_int
from flopdocs.config.keys import KEYS
from flopdocs.errors import ConfigError, shown

INT, INT0, BOOL, STR, STRS = "int", "int0", "bool", "str", "strs"
#: What each kind must be, as a message says it.
EXPECTED = {INT: "a whole number from 1 to 2**53", INT0: "a whole number from 0 to 2**53",
            BOOL: "true or false", STR: "a string", STRS: "a list of strings"}
#: A whole-number field as JSON text: digits only (no sign, fraction or exponent).
TEXT = {INT: "[1-9][0-9]*", INT0: "0|[1-9][0-9]*"}
_BY_KEY_TYPE = {"int": INT, "bool": BOOL, "enum": STR, "text": STR}
#: The fields the mapping reads beyond the key table's declared ones.
_MORE = {"model_type": STR, "hidden_act": STR, "position_embedding_type": STR,
         "add_cross_attention": BOOL, "is_decoder": BOOL, "is_encoder_decoder": BOOL,
         "use_sliding_window": BOOL, "max_window_layers": INT0, "layer_types": STRS,
         "sliding_window": INT0}  # Qwen2-MoE's default 0, unused without use_sliding_window


#: Fields whose readers check them (lists of layer indices or flags, counts that may be 0:
#: flopdocs.config.hf_moe, hf_zoo), not by the kind of the key they are read into.
_READERS_CHECK = ("no_rope_layers", "mlp_only_layers", "moe_layers", "first_k_dense_replace",
                  "n_shared_experts", "layer_types", "sliding_window_pattern", "max_window_layers")


def _kinds() -> dict[str, str]:
    out: dict[str, str] = {}
    for k in KEYS:
        for names in k.hf.values():
            for name in names:
                kind = _BY_KEY_TYPE[k.type]
                if out.setdefault(name, kind) != kind:  # one field, two kinds: a mistake in KEYS
                    raise AssertionError(f"config.json field {name}: read as {out[name]} and as {kind}")
    for name in _READERS_CHECK:
        out.pop(name, None)
    return {**out, **_MORE}


#: Every field read, and its kind.
KINDS = _kinds()


def _valid(kind: str, value: Any) -> bool:
    if kind in (INT, INT0):
        return (isinstance(value, int) and not isinstance(value, bool)
                and (1 if kind == INT else 0) <= value <= MAX_INT)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == STR:
        return isinstance(value, str)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_values(hf: Mapping[str, Any], origin: str, mixed_layer_types: bool = False) -> None:
    """Every field of :data:`KINDS` the file gives (not null) is of its kind, and
    ``layer_types`` names one kind of layer (unless ``mixed_layer_types``: the type's reader
    counts each kind); else one line naming the field (an int field's words are
    :func:`~flopdocs.config.checks.check_int`'s)."""
    for name, kind in KINDS.items():
        value = hf.get(name)
        if value is None or _valid(kind, value):
            continue
        if kind == INT:
            check_int(origin, name, value)  # raises, in the words a YAML config gets
        raise ConfigError(f"{origin}: {name}: must be {EXPECTED[kind]}, got {shown(value)}")
    kinds = set(hf.get("layer_types") or ())  # strings, checked above
    if len(kinds) > 1 and not mixed_layer_types:
        raise ConfigError(f"{origin}: layer_types: layers of different kinds "
                          f"({', '.join(sorted(kinds))}) are not modelled")


def page_rules() -> dict[str, Any]:
    """The rules as the calculator's page reads them (``index.js``)."""
    return {"kinds": KINDS, "expected": EXPECTED, "text": TEXT, "maxInt": str(MAX_INT),
            "maxBytes": MAX_CONFIG_BYTES, "maxDepth": MAX_JSON_DEPTH, "maxDigits": sys.int_info.default_max_str_digits}
