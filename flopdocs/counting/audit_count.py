"""Our count of a structure in its symbols, and what every config of a structure satisfies.

:func:`count`: a convention's count of one structure, per token, sequence or batch, as one
expression and by role (a closed form: by term).  :func:`decider` and :func:`proven_whole`:
the sign of an expression, or whether a quotient is whole, for every config of a structure
(sympy over positive integers, with the structure's :func:`facts`).  Nothing here runs a
formula.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy
from sympy import Symbol

from flopdocs import conventions
from flopdocs.config import symbols as S
from flopdocs.config.arch import Arch
from flopdocs.conventions import formula
from flopdocs.counting.analysis import symbolic_tree
from flopdocs.counting.modes import Options
from flopdocs.errors import ConfigError
from flopdocs.structure import params as _params
from flopdocs.structure.grouping import by
from flopdocs.structure.tree import as_expr


@dataclass(frozen=True)
class Count:
    total: sympy.Expr
    parts: dict[str, sympy.Expr]  # role (or a closed form's term) -> expression


#: The memory quantities an audit may compare (``--mode``): each ZeRO stage's model states
#: (weights, gradients, optimizer states) on one of D devices, in bytes, ``--per device``.
MEMORY_MODES = {"zero1-states": 1, "zero2-states": 2, "zero3-states": 3}


def memory_count(arch: Arch) -> dict[int, Count]:
    """Each ZeRO stage's model-state bytes per device over ``D`` data-parallel devices, in
    our symbols: :func:`flopdocs.counting.memory.footprint`'s rules (bf16 weights and
    gradients, AdamW with an fp32 master copy) split by
    :func:`flopdocs.counting.parallel.per_device`, exactly (not rounded up)."""
    from flopdocs.counting import memory, parallel

    p = sympy.expand(_params.symbolic(arch).total)
    s = memory.Settings()
    w = p * sympy.Rational(memory.dtype_bytes(s.dtype))
    whole = memory.Memory(w, w, (memory.master_bytes(s) + memory.MOMENT_BYTES[s.optimizer]) * p, None, None)
    out = {}
    for stage in (1, 2, 3):
        d = parallel.per_device(whole, parallel.Parallel(data=S.devices, zero=stage))
        parts = {"weights": d.weights, "gradients": d.gradients, "optimizer": d.optimizer}
        out[stage] = Count(total=sympy.expand(sympy.Add(*parts.values())),
                           parts={k: sympy.expand(v) for k, v in parts.items()})
    return out


@lru_cache(maxsize=None)
def count(arch: Arch, convention: str, mode: str, per: str, options: Options = Options()) -> Count:
    """Our count of one structure, in our symbols: per token, sequence or batch of N (a
    memory quantity, :data:`MEMORY_MODES`: per device)."""
    if mode in MEMORY_MODES:
        return memory_count(arch)[MEMORY_MODES[mode]]
    conv = conventions.get(convention)
    if conventions.is_tree(conv):
        tree = symbolic_tree(conv, arch, mode, options)
        parts = {r: v for r, v in by(tree, "role").items() if v != 0}
    else:
        reason = conv.refuses(_Shape(arch))
        if reason:
            raise ConfigError(reason)
        m = formula.Model(S.l, S.d_model, S.d_ff, S.n_vocab, S.n_layers, S.n_heads, arch.d_k(),
                          _params.symbolic(arch))
        terms = formula.sequence_terms(conv, m, S.l)
        scale = {"forward": 1, "training": 1 + conv.BACKWARD, "training-recompute": 1 + conv.BACKWARD}[mode]
        parts: dict[str, Any] = {}
        for t in terms:
            times = scale + (1 if mode == "training-recompute" and t.recomputed else 0)
            key = t.role or t.name
            parts[key] = parts.get(key, 0) + times * t.value
    unit = {"token": 1 / (S.l_src + S.l_tgt if arch.encoder_decoder else S.l), "sequence": 1, "batch": S.N}[per]
    parts = {k: sympy.expand(v * unit) for k, v in parts.items()}
    return Count(total=sympy.expand(sympy.Add(*parts.values())), parts=parts)


class _Shape:
    """What a closed form's ``refuses`` reads of a config, answered by a structure."""

    def __init__(self, arch: Arch):
        self.arch = arch
        self.is_encoder_decoder = arch.encoder_decoder

    def get(self, key: str) -> Any:
        return 1 if key == "n_experts" and self.arch.moe else None


_D = [Symbol(f"_delta{i}", integer=True, positive=True) for i in range(3)]
_E0 = Symbol("_e0", integer=True, nonnegative=True)


def facts(arch: Arch) -> dict[Symbol, Any]:
    """What every config of a structure satisfies, as substitutions in new positive
    symbols: w < l when windowed; n_kv < n_heads and dividing it with GQA; k ≤ n_experts;
    n_heads dividing d_model unless d_head is explicit (the config's rules)."""
    facts: dict[Symbol, Any] = {}
    if arch.windowed:
        facts[S.l] = S.window + _D[0]
    if arch.gqa:
        facts[S.n_heads] = S.n_kv_heads * (1 + _D[1])
    if arch.moe:
        facts[S.n_experts] = S.experts_per_token + _E0
    if not arch.explicit_d_head:
        facts[S.d_model] = S.n_heads * _D[2]
    return facts


def proven_whole(arch: Arch):
    """Whether a quotient is a whole number at every config of ``arch`` (its :func:`facts`)."""
    f = facts(arch)

    def whole(q: sympy.Expr) -> bool:
        return bool(sympy.cancel(q.xreplace(f)).is_integer)

    return whole


def decider(arch: Arch):
    """The sign of an expression for every config of ``arch`` (``None``: it differs):
    sympy's positivity over positive integers, with the structure's :func:`facts`."""
    facts_ = facts(arch)

    def decide(e: sympy.Expr) -> int | None:
        e = sympy.expand(as_expr(e).xreplace(facts_))
        if e.is_zero:
            return 0
        if e.is_positive:
            return 1
        if e.is_negative:
            return -1
        num, den = sympy.fraction(sympy.together(e))
        num, den = sympy.expand(num), sympy.expand(den)
        s_num = 0 if num.is_zero else 1 if num.is_positive else -1 if num.is_negative else None
        s_den = 1 if den.is_positive else -1 if den.is_negative else None
        if s_num is None or s_den is None:
            return None
        return s_num * s_den

    return decide
