"""What a formula's arguments may be mapped to, per structure: config keys, derived
quantities, structural flags.

``--arg NAME=RHS``: the right-hand side is a name of :data:`NAME_LIST` (looked up in
:func:`names` for each structure), a whole number, ``true``, ``false`` or ``none``; nothing is
evaluated.  Nothing here runs a formula or counts.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Symbol

from flopdocs.config import symbols as S
from flopdocs.config.arch import Arch
from flopdocs.config.keys import KEYS
from flopdocs.counting.formula_source import Target
from flopdocs.errors import ConfigError
from flopdocs.structure import params as _params


#: Derived quantities a mapping may name (besides the config keys), and what they mean.
DERIVED: dict[str, str] = {
    "params": "every parameter (a tied LM head once): flopdocs' total parameter count",
    "params_non_embedding": "parameters without the word and position tables and the LM head (Kaplan's N)",
    "params_active": "the parameters one token passes through (k of n_experts experts)",
    "params_embedding": "params minus params_non_embedding: the tables and the LM head",
    "params_word_embedding": "n_vocab · d_model: the token embedding table",
    "params_position": "max_positions · d_model with learned positions, else 0: the position table",
    "d_attn": "n_heads · d_head: the width of the concatenated heads",
    "d_kv": "n_kv_heads · d_head: the width of K (and of V)",
    "tokens": "tokens per sequence: l (encoder-decoder: l_src + l_tgt)",
    "devices": "D, the devices (GPUs) model states are spread over: the memory audits' "
               "--mode zero1-states, zero2-states, zero3-states (catalogue models listed at D = 8)",
}


def derived_table() -> str:
    """The README's table of :data:`DERIVED` (a test keeps the README equal to it)."""
    rows = ["| name | what it is |", "|---|---|"] + [f"| `{k}` | {v} |" for k, v in DERIVED.items()]
    return "\n".join(rows) + "\n"


def key_symbols() -> dict[Symbol, Symbol]:
    """Our symbols -> plain symbols named as the README's keys (``d_{model}`` -> ``d_model``)."""
    return {**{k.symbol: Symbol(k.name) for k in KEYS if k.symbol is not None}, S.devices: Symbol("devices")}


def names(arch: Arch) -> dict[str, Any]:
    """Every name a mapping's right-hand side may use, for one structure: a sympy
    expression in our symbols, a bool or word (structure), or ``None`` (does not apply)."""
    p = _params.symbolic(arch)
    d_head = arch.d_k()
    kv = S.n_kv_heads if arch.gqa else S.n_heads
    out: dict[str, Any] = {
        "l": S.l, "d_model": S.d_model, "d_ff": S.d_ff, "n_vocab": S.n_vocab, "n_layers": S.n_layers,
        "n_heads": S.n_heads, "N": S.N, "n_kv_heads": kv, "d_head": d_head,
        "window": S.window if arch.windowed else None,
        "n_experts": S.n_experts if arch.moe else None,
        "experts_per_token": S.experts_per_token if arch.moe else None,
        "d_ff_expert": arch.d_expert if arch.moe else None,
        "max_positions": S.max_positions if arch.position == "learned" else None,
        "relative_buckets": S.n_buckets if arch.t5_bias else None,
        "token_types": S.n_token_types if arch.token_types else None,
        "n_encoder_layers": S.n_encoder_layers if arch.encoder_decoder else None,
        "n_decoder_layers": S.n_decoder_layers if arch.encoder_decoder else None,
        "l_src": S.l_src if arch.encoder_decoder else None,
        "l_tgt": S.l_tgt if arch.encoder_decoder else None,
        "params": sympy.expand(p.total), "params_non_embedding": sympy.expand(p.non_embedding),
        "params_active": sympy.expand(p.active), "params_embedding": sympy.expand(p.total - p.non_embedding),
        "params_word_embedding": S.n_vocab * S.d_model,
        "params_position": S.max_positions * S.d_model if arch.position == "learned" else sympy.Integer(0),
        "d_attn": S.n_heads * d_head, "d_kv": kv * d_head,
        "tokens": S.l_src + S.l_tgt if arch.encoder_decoder else S.l,
        # the 2026 zoo's keys (issue 21): each where its structure has it
        "d_ff_shared": S.d_ff_shared if arch.shared_expert else None,
        "kv_lora_rank": S.r_kv if arch.mla else None, "q_lora_rank": S.r_q if arch.q_lora else None,
        "qk_nope_head_dim": S.d_nope if arch.mla else None, "qk_rope_head_dim": S.d_rope if arch.mla else None,
        "v_head_dim": S.d_v_mla if arch.mla else None,
        **{key: sym if any(k == key for g in arch.groups for k, _ in g.traits) else None
           for key, sym in (("window_layers", S.n_local), ("dense_layers", S.n_dense), ("nope_layers", S.n_nope))},
        "rotary_dim": S.d_rot if arch.partial_rotary else None,
        "position_offset": S.position_offset if arch.position_offset else None,
        "devices": S.devices,
    }
    split = {key for g in arch.groups for key, _ in g.traits}
    out.update({  # the zoo's keys (issue 21): their symbol where the structure uses them
        "d_ff_shared": S.d_ff_shared if arch.shared_expert else None,
        "kv_lora_rank": S.r_kv if arch.mla else None, "q_lora_rank": S.r_q if arch.q_lora else None,
        "qk_nope_head_dim": S.d_nope if arch.mla else None, "qk_rope_head_dim": S.d_rope if arch.mla else None,
        "v_head_dim": S.d_v_mla if arch.mla else None,
        "window_layers": S.n_local if "window_layers" in split else None,
        "dense_layers": S.n_dense if "dense_layers" in split else None,
        "nope_layers": S.n_nope if "nope_layers" in split else None,
        "rotary_dim": S.d_rot if arch.partial_rotary else None,
        "position_offset": S.position_offset if arch.position_offset else None,
    })
    for f in STRUCTURAL:
        out[f] = getattr(arch, f)
    return out


#: The structural flags and words a mapping may name (each an :class:`Arch` field, or ``gated``).
STRUCTURAL = ("gated", "architecture", "ffn", "norm", "position", "attn_bias", "attn_out_bias",
              "ffn_bias", "tie_embeddings", "lm_head", "gqa", "explicit_d_head", "windowed", "moe",
              "pooler", "lm_head_transform")
#: Every right-hand-side name, for messages and the README: the numeric config keys, the
#: derived quantities, the structural flags (what :func:`names` gives, a test checks).
NAME_LIST = (*(k.name for k in KEYS if k.symbol is not None), *DERIVED, *STRUCTURAL)


def parse_mapping(items: Sequence[str]) -> dict[str, Any]:
    """``NAME=RHS`` items: NAME a Python name or dotted attribute path (ending in ``()``: a
    method call, ``self.get_num_params()``), RHS a name of
    :data:`NAME_LIST`, a whole number, ``true``, ``false`` or ``none``.  Kept as text/values;
    :func:`bind` resolves the names per structure."""
    out: dict[str, Any] = {}
    for item in items:
        left, sep, right = item.partition("=")
        left, right = left.strip(), right.strip()
        if left in out:
            raise ConfigError(f"--arg {item}: {left} is mapped twice")
        if not sep or not left or not right:
            raise ConfigError(f"--arg {item}: expected NAME=KEY (e.g. hidden_size=d_model)")
        if not all(part.isidentifier() for part in left.removesuffix("()").split(".")):
            raise ConfigError(f"--arg {item}: {left!r} is not a Python name")
        if right.isascii() and right.isdigit() and len(right) <= 20:
            out[left] = int(right)
        elif right.lower() in ("true", "false", "none"):
            out[left] = {"true": True, "false": False, "none": None}[right.lower()]
        elif right in NAME_LIST:
            out[left] = Name(right)
        else:
            raise ConfigError(f"--arg {item}: unknown name {right!r} (config keys and derived "
                              f"quantities: {', '.join(NAME_LIST)})")
    return out


@dataclass(frozen=True)
class Name:
    name: str


def bind(mapping: Mapping[str, Any], arch: Arch) -> dict[str, Any]:
    """The mapping's names replaced by their values for one structure."""
    table = names(arch)
    return {k: table[v.name] if isinstance(v, Name) else v for k, v in mapping.items()}


def implicit(target: Target, mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping, plus each parameter without a default whose name is one of
    :data:`NAME_LIST` and that the mapping does not give (``def f(d_model, l)`` needs no
    ``--arg``)."""
    import inspect

    out = dict(mapping)
    for name, p in inspect.signature(target.function).parameters.items():
        if name not in out and name in NAME_LIST and p.default is p.empty and \
                p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            out[name] = Name(name)
    return out
