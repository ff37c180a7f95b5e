"""Model configs: data checked key by key against :data:`flopdocs.config.keys.KEYS`, then across keys.

A config is read as data (:mod:`flopdocs.base.readers`), each value checked as a plain int,
bool, enum word or text by its key's declaration, then the rules across keys are
applied here.  Every problem is a :class:`~flopdocs.errors.ConfigError` naming the
file, the key and what is wrong.  Nothing here touches sympy beyond handing the tree
its symbols' values (:attr:`Config.dims`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sympy import Symbol

from flopdocs.config.arch import SPLITS, Arch, layout
from flopdocs.config.variants import check_block_variants, check_latent, check_splits
from flopdocs.errors import ConfigError, key_text, shown
from flopdocs.config.checks import parse_whole
from flopdocs.config.keys import (BY_NAME, DIMENSION_KEYS, ENCODER_DECODER_ONLY, KEYS, KNOB_ORDER,
                                  MAX_INT, MIN_BUCKETS, REQUIRED_INTS, T5_RELATIVE, check_int)
from flopdocs.base.readers import read_text, read_yaml

__all__ = ["Config", "ConfigError", "MAX_INT", "REQUIRED_INTS", "check_int", "key_text", "load",
           "parse", "parse_override", "parse_overrides", "read_text", "shown"]


@dataclass(frozen=True)
class Config:
    name: str
    values: dict[str, int]  # every dimension, defaults filled in, in display order
    source: str = ""
    origin: str = "<config>"  # where it came from, for messages
    extra: dict[str, Any] = field(default_factory=dict)
    knobs: dict[str, Any] = field(default_factory=dict)  # architecture keys given, in KNOB_ORDER
    params_published: int | None = None
    notes: str = ""

    def __getitem__(self, key: str) -> int:
        return self.values[key]

    def get(self, key: str) -> Any:
        """Any key's value, its declared default filled in (``None``: not applicable)."""
        if key in self.values:
            return self.values[key]
        if key in self.knobs:
            return self.knobs[key]
        if key in ("name", "source", "notes", "params_published"):
            return getattr(self, key)
        return BY_NAME[key].default_for(self.get)

    def knob(self, key: str) -> Any:
        """An architecture key's value, its default filled in (``None``: not applicable)."""
        return self.get(key)

    # -- derived facts, answered once -------------------------------------------------

    @property
    def is_encoder_decoder(self) -> bool:
        return self.arch.encoder_decoder

    @property
    def arch(self) -> Arch:
        """The structural choices the symbolic tree is built from (see :mod:`flopdocs.config.arch`)."""
        v, k = self.values, self.get
        window, experts = k("window"), k("n_experts")
        return Arch(
            architecture=k("architecture"), ffn=k("ffn"), norm=k("norm"),
            position=k("position"), attn_bias=k("attn_bias"),
            attn_out_bias=k("attn_out_bias"), ffn_bias=k("ffn_bias"),
            tie_embeddings=k("tie_embeddings"), lm_head=k("lm_head"),
            gqa=k("n_kv_heads") != v["n_heads"],
            explicit_d_head=k("d_head") * v["n_heads"] != v["d_model"],
            windowed=window is not None and window < v["l"],
            moe=experts is not None,
            expert_width=experts is not None and k("d_ff_expert") != v["d_ff"],
            mla=k("kv_lora_rank") is not None, q_lora=k("q_lora_rank") is not None,
            mla_absorb=k("mla_absorb"), sinks=k("attention_sinks"),
            shared_expert=k("d_ff_shared") is not None, shared_expert_gate=k("shared_expert_gate"),
            router_bias=k("router_bias"),
            token_types=k("token_types") is not None, pooler=k("pooler"),
            lm_head_transform=k("lm_head_transform") and k("lm_head"),
            groups=layout(v["n_layers"], {s.key: k(s.key) for s in SPLITS}),
            block=k("block"), norm_position=k("norm_position"), qk_norm=k("qk_norm"),
            partial_rotary=k("rotary_dim") is not None and k("rotary_dim") != k("d_head"),
            embedding_scale=k("embedding_scale"), embedding_norm=k("embedding_norm"),
            position_offset=k("position_offset") is not None, attn_softcap=k("attn_softcap"),
            logit_softcap=k("logit_softcap"), lm_head_bias=k("lm_head_bias") and k("lm_head"),
            residual_scale=k("residual_scale"), logit_scale=k("logit_scale") and k("lm_head"),
            bias_every_layer=k("bias_every_layer") and k("position") == T5_RELATIVE,
        )

    @property
    def dims(self) -> dict[Symbol, int]:
        """Symbol -> int, for :func:`flopdocs.structure.tree.evaluate` (N excluded).

        Every numeric key that applies to this config, its default filled in; a key the
        tree does not use is harmless.
        """
        out = {}
        for k in KEYS:
            if k.symbol is not None and k.name != "N":
                value = self.get(k.name)
                if value is not None:
                    out[k.symbol] = value
        return out

    @property
    def n_sequences(self) -> int:
        return self.values["N"]

    @property
    def tokens(self) -> int:
        """Tokens one sequence's forward pass processes: ``l``, or ``l_src + l_tgt`` for an
        encoder-decoder (the encoder reads l_src source tokens, the decoder l_tgt targets)."""
        if self.is_encoder_decoder:
            return self.get("l_src") + self.get("l_tgt")
        return self.values["l"]

    def echo(self) -> dict[str, Any]:
        """The JSON ``config`` echo: every dimension, then the architecture keys given."""
        return {**self.values, **self.knobs}

    def as_data(self) -> dict[str, Any]:
        """The config as the mapping :func:`parse` reads (defaults left out), in table order."""
        data: dict[str, Any] = {}
        for k in KEYS:
            value = self.get(k.name) if k.group != "architecture" else self.knobs.get(k.name)
            if value is None or (not k.required and k.group != "architecture" and value == k.default):
                continue
            data[k.name] = value
        return data

    def with_values(self, overrides: Mapping[str, Any], origin: str) -> "Config":
        return parse({**self.as_data(), **overrides}, origin)

    def rows(self, group: str) -> list[tuple[str, Any]]:
        """(key, value) of one group of keys as given or defaulted (``dimension``) or as
        given (``architecture``), in table order: the site's config tables."""
        if group == "dimension":
            return [(k, self.values[k]) for k in DIMENSION_KEYS]
        return [(k, self.knobs[k]) for k in KNOB_ORDER if k in self.knobs]


def _fail(origin: str, key: str, problem: str, value: Any = None):
    raise ConfigError(problem, origin=origin, field=key, value=value)


def check_across(origin: str, values: Mapping[str, int], knobs: Mapping[str, Any]) -> None:
    """The rules that relate keys to each other."""
    arch = knobs.get("architecture", "decoder")
    n_heads = values["n_heads"]
    if "d_head" not in knobs and values["d_model"] % n_heads:
        _fail(origin, "d_model", f"{values['d_model']} is not divisible by n_heads={n_heads} "
                                 "(d_k = d_model / n_heads must be a whole number; or give d_head)",
              values["d_model"])
    if "n_kv_heads" in knobs:
        kv = knobs["n_kv_heads"]
        if kv > n_heads or n_heads % kv:
            _fail(origin, "n_kv_heads", f"{kv} must divide n_heads={n_heads} (each key/value head "
                                        "serves a whole group of query heads)", kv)
    if "n_experts" in knobs:
        if "experts_per_token" not in knobs:
            _fail(origin, "experts_per_token", "missing: required with n_experts (top-k routing)")
        if knobs["experts_per_token"] > knobs["n_experts"]:
            _fail(origin, "experts_per_token", f"{knobs['experts_per_token']} is more than "
                                               f"n_experts={knobs['n_experts']}", knobs["experts_per_token"])
    else:
        for key in ("experts_per_token", "d_ff_expert", "d_ff_shared", "shared_expert_gate", "router_bias"):
            if knobs.get(key) not in (None, False):
                _fail(origin, key, "needs n_experts (a dense model has no experts)", knobs[key])
    check_latent(origin, knobs)
    if knobs.get("shared_expert_gate") and "d_ff_shared" not in knobs:
        _fail(origin, "shared_expert_gate", "needs d_ff_shared (the shared expert it gates)", True)
    if arch != "encoder-decoder":
        for key in ENCODER_DECODER_ONLY:
            if key in knobs:
                _fail(origin, key, f"only applies to architecture encoder-decoder, not {arch}", knobs[key])
    elif "window" in knobs:
        _fail(origin, "window", "sliding-window attention is not modelled for architecture encoder-decoder",
              knobs["window"])
    check_splits(origin, values, knobs)
    _check_positions(origin, values, knobs)
    if "relative_buckets" in knobs and knobs.get("position", "learned") != T5_RELATIVE:
        _fail(origin, "relative_buckets", f"only applies to position {T5_RELATIVE} (T5's bias table), "
                                          f"not {knobs.get('position', 'learned')}", knobs["relative_buckets"])
    if knobs.get("relative_buckets", MIN_BUCKETS) < MIN_BUCKETS:
        _fail(origin, "relative_buckets", f"{knobs['relative_buckets']} is fewer than {MIN_BUCKETS} "
                                          "(T5 halves the buckets per direction, then keeps half of those exact)",
              knobs["relative_buckets"])
    check_block_variants(origin, values, knobs)
    if knobs.get("tie_embeddings") and not knobs.get("lm_head", arch != "encoder"):
        _fail(origin, "tie_embeddings", "there is no LM head to tie (lm_head is false)", True)


#: What ``max_positions`` is, in every message that holds an input against it.
TABLE_ROWS = "the learned position table's rows: the longest input the model takes"


def position_rows(knobs: Mapping[str, Any]) -> int | None:
    """The rows of a learned position table, the most positions an input may take, when
    ``max_positions`` is given; ``None`` when no table bounds the input."""
    if "max_positions" not in knobs or knobs.get("position", BY_NAME["position"].default) != "learned":
        return None
    return knobs["max_positions"]


def past_the_table(what: str, rows: int) -> str:
    """The one-line reason an input (``what``) does not fit a table of ``rows``."""
    return f"{what} more than max_positions={rows} ({TABLE_ROWS})"


def _check_positions(origin: str, values: Mapping[str, int], knobs: Mapping[str, Any]) -> None:
    """A learned position table has max_positions rows: no input may be longer."""
    rows = position_rows(knobs)
    if rows is None:
        return
    lengths = (("l_src", "l_tgt") if knobs.get("architecture") == "encoder-decoder" else ("l",))
    for key in lengths:
        value = knobs.get(key, values["l"])
        if value > rows:
            _fail(origin, "l" if key == "l" else key, past_the_table(f"{key}={value} is", rows), value)


def parse(data: Any, origin: str) -> Config:
    """Validate a mapping (as the YAML reader returns it) into a :class:`Config`."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"expected a mapping of keys to values, got {type(data).__name__}", origin=origin)
    for key in data:
        if key not in BY_NAME:
            raise ConfigError(f"unknown key (allowed: {', '.join(sorted(BY_NAME))})",
                              origin=origin, field=key_text(key))
    for k in KEYS:
        if k.required and k.name not in data:
            _fail(origin, k.name, "missing required key")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        _fail(origin, "name", f"must be a non-empty string, got {shown(name)}", name)
    checked = {k.name: k.check(data[k.name], origin) for k in KEYS if k.name in data}
    values = {key: checked.get(key, BY_NAME[key].default) for key in DIMENSION_KEYS}
    knobs = {key: checked[key] for key in KNOB_ORDER if key in checked}
    check_across(origin, values, knobs)
    return Config(name=name.strip(), values=values, source=checked.get("source", ""), origin=origin,
                  knobs=knobs, params_published=checked.get("params_published"),
                  notes=checked.get("notes", "").strip())


def load(path: str | Path) -> Config:
    """Read and validate one YAML config file."""
    return parse(read_yaml(path), str(path))


def parse_overrides(texts: Iterable[str]) -> dict[str, Any]:
    """Every ``--set key=value`` (:func:`parse_override`), a key given twice refused as a
    YAML file refuses it (the last would silently win)."""
    out: dict[str, Any] = {}
    first: dict[str, str] = {}
    for text in texts:
        key, value = parse_override(text)
        if key in out:
            raise ConfigError(f"given twice (--set {first[key]} and --set {text})", origin=f"--set {text}",
                              field=key)
        out[key], first[key] = value, text
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """``--set key=value``: the key and its value, read by the key's declared type.

    Ints are strictly decimal (never evaluated); a bool takes ``true``/``false`` and an
    enum its word (``--set tie_embeddings=true``, ``--set ffn=swiglu``), checked by
    :func:`parse`.  Text keys cannot be set.
    """
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    where = f"--set {text}"
    if not sep or not key:
        raise ConfigError("expected key=value, e.g. --set l=2048", origin=where)
    spec = BY_NAME.get(key)
    kind = spec.type if spec is not None else "int"  # an unknown key is named by parse()
    if kind == "bool":
        if raw not in ("true", "false"):
            raise ConfigError(f"must be true or false, got {raw!r}", origin=where, field=key, value=raw)
        return key, raw == "true"
    if kind == "enum":
        return key, raw
    if kind in ("text", "lines"):
        raise ConfigError("only dimensions and architecture knobs can be overridden "
                          "(edit the YAML file for text)", origin=where, field=key)
    if raw.startswith("-") and raw[1:].isascii() and raw[1:].isdigit():  # as the YAML's -1 is told
        raise ConfigError(f"must be at least 1, got {raw}", origin=where, field=key, value=raw)
    try:
        return key, parse_whole(raw, least=0)  # 0: the key's own check names the config
    except ValueError as e:
        raise ConfigError(str(e), origin=where, field=key, value=raw) from None
