"""Conventions that are closed forms, not trees: each a list of named terms, as printed.

A formula convention's module gives ``NAME``, ``TITLE``, ``CITATION``, ``SUMMARY``,
``MODES``, ``refuses(config)`` (a reason, or None) and either ``per_token(m, n_ctx)`` (the
cost of one token that attends to ``n_ctx`` positions: Kaplan, PaLM, 6N) or
``per_sequence(m, seq)`` (one sequence of ``seq`` tokens: Chinchilla, Megatron), as
:class:`Term` lists, with ``BACKWARD`` (the backward's multiple of the forward).  This
module turns them into a tree per mode; nothing here knows a particular paper.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flopdocs.errors import ConfigError
from flopdocs.structure.tree import Node


@dataclass(frozen=True)
class Term:
    name: str
    value: int  # FLOPs, exact
    formula: str  # as the source prints it, in its own letters
    role: str | None = None  # our role it stands for, when it stands for one
    kind: str | None = "matmul"
    recomputed: bool = True  # counted again under full recomputation (Megatron: not the logits)


@dataclass(frozen=True)
class Model:
    """What the closed forms read of a config: its dimensions and parameter counts."""

    l: int
    d_model: int
    d_ff: int
    n_vocab: int
    n_layers: int
    n_heads: int
    d_head: int
    params: Any  # flopdocs.structure.params.Params
    tokens: int = 0  # a forward's tokens per sequence: l, or l_src + l_tgt
    encoder_decoder: bool = False


def dense_decoder_only(source: str):
    """A closed form's ``refuses(config)``: ``source`` counts a dense decoder-only model."""
    def refuses(cfg) -> str | None:
        if cfg.is_encoder_decoder:
            return f"{source} counts a decoder-only model (no encoder-decoder)"
        if cfg.get("n_experts") is not None:
            return f"{source} counts a dense model (no mixture of experts)"
        return None
    return refuses


def model_of(cfg, params) -> Model:
    return Model(cfg["l"], cfg["d_model"], cfg["d_ff"], cfg["n_vocab"], cfg["n_layers"],
                 cfg["n_heads"], cfg.get("d_head"), params, cfg.tokens, cfg.is_encoder_decoder)


def leaves(terms: list[Term], scale: int = 1) -> tuple[Node, ...]:
    return tuple(Node(name=t.name, value=scale * t.value, kind=t.kind, role=t.role) for t in terms)


def sequence_terms(conv, m: Model, seq: int) -> list[Term]:
    """One sequence of ``seq`` tokens (each attending to the whole sequence)."""
    if hasattr(conv, "per_sequence"):
        return conv.per_sequence(m, seq)
    return [Term(t.name, seq * t.value, t.formula, t.role, t.kind, t.recomputed)
            for t in conv.per_token(m, seq)]


def decode_sum(conv, m: Model, first: int, steps: int) -> list[Term]:
    """``steps`` tokens generated one at a time, the first attending to ``first`` positions.

    Each term of a per-token form is linear in n_ctx, so the sum over the steps is exact:
    ``steps·a + b·Σ n_ctx``.
    """
    one, two = conv.per_token(m, 1), conv.per_token(m, 2)
    total_ctx = steps * first + steps * (steps - 1) // 2
    out = []
    for t1, t2 in zip(one, two):
        b = t2.value - t1.value
        a = t1.value - b
        out.append(Term(t1.name, steps * a + b * total_ctx, t1.formula, t1.role, t1.kind, t1.recomputed))
    return out


def recomputed(conv, terms: list[Term], how: str) -> list[Term]:
    """What ``--recompute how`` runs again: the convention's own rule (``recompute``), else
    under ``full`` every term marked ``recomputed``."""
    if hasattr(conv, "recompute"):
        return conv.recompute(terms, how)
    return [t for t in terms if t.recomputed]


def kept(conv, terms: list[Term], roles) -> list[Term]:
    """The terms whose role is not left out (``--exclude``); a one-line error when a term
    mixes roles and so cannot be split."""
    if not roles:
        return terms
    mixed = [t.name for t in terms if t.role is None]
    if mixed:
        raise ConfigError(f"{conv.NAME}'s term {mixed[0]!r} does not separate roles, so "
                          f"{', '.join(roles)} cannot be left out of it", origin="--exclude")
    return [t for t in terms if t.role not in roles]


def tree(conv, cfg, params, mode: str, options) -> tuple[Node, int]:
    """(the per-sequence tree, tokens it processes) of a formula convention in ``mode``."""
    m = model_of(cfg, params)
    root = conv.TITLE
    roles = tuple(options.exclude or ())

    def terms_of(terms: list[Term]) -> list[Term]:
        return kept(conv, terms, roles)

    if mode in ("forward", "training", "training-recompute"):
        terms = terms_of(sequence_terms(conv, m, m.tokens))
        if mode == "forward":
            return Node(name=root, children=leaves(terms)), m.tokens
        parts = [Node(name="forward", children=leaves(terms))]
        if mode == "training-recompute":
            again = recomputed(conv, terms, options.recompute)
            if again:
                parts.append(Node(name="recompute", children=leaves(again)))
        parts.append(Node(name="backward", children=leaves(terms, conv.BACKWARD)))
        return Node(name=root, children=tuple(parts)), m.tokens
    if mode == "prefill":
        return Node(name=root, children=leaves(terms_of(sequence_terms(conv, m, options.prompt)))), options.prompt
    if mode == "decode":
        return Node(name=root, children=leaves(terms_of(conv.per_token(m, options.context + 1)))), 1
    prompt, steps = options.prompt, options.generate  # generate
    return Node(name=root, children=(
        Node(name="prefill", children=leaves(terms_of(sequence_terms(conv, m, prompt)))),
        Node(name="decode", children=leaves(terms_of(decode_sum(conv, m, prompt + 1, steps)))),
    )), prompt + steps
