"""The rules across keys of the 2026 zoo's structures: multi-head latent attention's keys,
a heterogeneous stack's counts (window_layers, dense_layers, nope_layers) and the block
variants' (rotary_dim, position_offset, norm_position, ...).

:func:`flopdocs.config.config.check_across` runs them with the older rules; each problem is one
:class:`~flopdocs.errors.ConfigError` naming the key.  Nothing here builds an ``Arch``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flopdocs.config.keys import BY_NAME
from flopdocs.errors import ConfigError


def _fail(origin: str, key: str, problem: str, value: Any = None):
    raise ConfigError(problem, origin=origin, field=key, value=value)


_LATENT = ("q_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "mla_absorb")
_LATENT_REQUIRED = ("qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim")


def check_latent(origin: str, knobs: Mapping[str, Any]) -> None:
    """Multi-head latent attention: kv_lora_rank with its head widths, rope, nothing of GQA's."""
    if "kv_lora_rank" not in knobs:
        for key in _LATENT:
            if knobs.get(key) not in (None, False):
                _fail(origin, key, "needs kv_lora_rank (multi-head latent attention)", knobs[key])
        return
    for key in _LATENT_REQUIRED:
        if key not in knobs:
            _fail(origin, key, "missing: required with kv_lora_rank (multi-head latent attention)")
    if knobs.get("position", "learned") != "rope":
        _fail(origin, "position", f"{knobs.get('position', 'learned')}: multi-head latent attention "
                                  "(kv_lora_rank) needs position: rope", knobs.get("position", "learned"))
    for key in ("n_kv_heads", "d_head", "attn_bias", "attn_out_bias", "attention_sinks"):
        if knobs.get(key) not in (None, False):
            _fail(origin, key, "does not apply to multi-head latent attention (kv_lora_rank)", knobs[key])
    if knobs.get("architecture", "decoder") != "decoder":
        _fail(origin, "kv_lora_rank", "multi-head latent attention is modelled for architecture decoder only",
              knobs["kv_lora_rank"])


#: A split's key -> (the key it needs, the value it needs or None for any, what that is,
#: why it must be fewer than n_layers or None when n_layers is allowed).
_SPLIT_NEEDS = {
    "window_layers": ("window", None, "a sliding window", None),
    "dense_layers": ("n_experts", None, "experts", "with every FFN dense, give no n_experts"),
    "nope_layers": ("position", "rope", "rotary embeddings", "with no rotary embedding, use position: none"),
}


def check_splits(origin: str, values: Mapping[str, int], knobs: Mapping[str, Any]) -> None:
    """A heterogeneous stack's counts: each needs what it splits, and at most n_layers."""
    n_layers = values["n_layers"]
    for key, (needs, value, what, all_of_them) in _SPLIT_NEEDS.items():
        if key not in knobs:
            continue
        given = knobs.get(needs, "learned" if needs == "position" else None)
        if given is None or (value is not None and given != value):
            shown_need = needs if value is None else f"{needs}: {value}"
            _fail(origin, key, f"needs {shown_need} (it counts the blocks with {what})", knobs[key])
        if knobs.get("architecture") == "encoder-decoder":
            _fail(origin, key, "blocks that differ are not modelled for architecture encoder-decoder",
                  knobs[key])
        if knobs[key] > n_layers:
            _fail(origin, key, f"{knobs[key]} is more than n_layers={n_layers}", knobs[key])
        if knobs[key] == n_layers and all_of_them:
            _fail(origin, key, f"{knobs[key]} must be fewer than n_layers={n_layers} ({all_of_them})",
                  knobs[key])


def check_block_variants(origin: str, values: Mapping[str, int], knobs: Mapping[str, Any]) -> None:
    """The block variants' rules: each applies only where its layer exists."""
    position = knobs.get("position", "learned")
    if "rotary_dim" in knobs:
        if position != "rope":
            _fail(origin, "rotary_dim", f"only applies to position rope, not {position}", knobs["rotary_dim"])
        d_head = knobs.get("d_head", values["d_model"] // values["n_heads"])
        if knobs["rotary_dim"] > d_head:
            _fail(origin, "rotary_dim", f"{knobs['rotary_dim']} is more than d_head={d_head} "
                                        "(the rotated channels are part of a head)", knobs["rotary_dim"])
    if "position_offset" in knobs and position != "learned":
        _fail(origin, "position_offset", f"only applies to position learned (a table's rows), not {position}",
              knobs["position_offset"])
    if knobs.get("norm_position", "pre") == "sandwich" and knobs.get("block", "sequential") != "sequential":
        _fail(origin, "norm_position", f"sandwich norms are modelled for sequential blocks, not "
                                       f"{knobs['block']}", "sandwich")
    if knobs.get("lm_head_bias") and not knobs.get("lm_head", knobs.get("architecture", "decoder") != "encoder"):
        _fail(origin, "lm_head_bias", "there is no LM head to add a bias to (lm_head is false)", True)
    if knobs.get("lm_head_bias") and knobs.get("lm_head_transform",
                                                knobs.get("architecture", "decoder") == "encoder"):
        _fail(origin, "lm_head_bias", "the masked-LM head (lm_head_transform) already has its bias", True)
    if knobs.get("architecture") == "encoder-decoder":
        for key in ("block", "norm_position", "qk_norm"):
            if knobs.get(key, BY_NAME[key].default) != BY_NAME[key].default:
                _fail(origin, key, "is not modelled for architecture encoder-decoder", knobs[key])
        for key in ("attn_softcap", "logit_softcap", "embedding_scale", "residual_scale", "logit_scale"):
            if knobs.get(key):
                _fail(origin, key, "is not modelled for architecture encoder-decoder", True)
