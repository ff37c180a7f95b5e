"""``flopdocs audit``: a framework's FLOPs formula minus our count, exactly, for every config.

For each structure (an :class:`~flopdocs.config.arch.Arch`: the given model's, or every
structure of the catalogue), the formula is run with symbols (:mod:`.symbolic_run`) through
the user's mapping of its argument names to :data:`NAMES` (config keys and derived
quantities), and our count under a convention, mode and unit (per token, sequence or batch)
is subtracted.  The difference is a sympy expression: identically 0 ("equal for every
config") or a polynomial (a rational function per token) in the config keys, split by role
where its terms are the monomials of one role's count, with the catalogue models and
lengths where it exceeds 1 %.

Nothing here parses user text as an expression (a mapping's right-hand side is a name
looked up in :data:`NAMES`, an integer or true/false/none), prints, or reads a file but the
catalogue; the CLI (:mod:`flopdocs.cli.audit`) formats.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sympy
from sympy import Symbol

from flopdocs import conventions
from flopdocs.config import symbols as S
from flopdocs.config.arch import Arch
from flopdocs.config.config import Config
from flopdocs.config.keys import KEYS
from flopdocs.conventions import formula
from flopdocs.counting import symbolic_run
from flopdocs.counting.analysis import check, symbolic_tree
from flopdocs.counting.modes import Options
from flopdocs.errors import ConfigError
from flopdocs.structure import params as _params
from flopdocs.structure.grouping import by
from flopdocs.structure.tree import as_expr

MODES = ("forward", "training", "training-recompute")
PER = ("token", "sequence", "batch")
#: Relative difference above which a catalogue model and length is listed.
THRESHOLD = sympy.Rational(1, 100)
#: Lengths each catalogue model is also evaluated at (beside its own l), when its structure allows.
LENGTHS = (2048, 8192, 32768, 131072)
#: How many catalogue models and lengths the answer lists.
WORST = 10

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
}


def derived_table() -> str:
    """The README's table of :data:`DERIVED` (a test keeps the README equal to it)."""
    rows = ["| name | what it is |", "|---|---|"] + [f"| `{k}` | {v} |" for k, v in DERIVED.items()]
    return "\n".join(rows) + "\n"


def key_symbols() -> dict[Symbol, Symbol]:
    """Our symbols -> plain symbols named as the README's keys (``d_{model}`` -> ``d_model``)."""
    return {k.symbol: Symbol(k.name) for k in KEYS if k.symbol is not None}


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
    }
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
            out[left] = _Name(right)
        else:
            raise ConfigError(f"--arg {item}: unknown name {right!r} (config keys and derived "
                              f"quantities: {', '.join(NAME_LIST)})")
    return out


@dataclass(frozen=True)
class _Name:
    name: str


def bind(mapping: Mapping[str, Any], arch: Arch) -> dict[str, Any]:
    """The mapping's names replaced by their values for one structure."""
    table = names(arch)
    return {k: table[v.name] if isinstance(v, _Name) else v for k, v in mapping.items()}


# -- our count, symbolic --------------------------------------------------------------------

@dataclass(frozen=True)
class Count:
    total: sympy.Expr
    parts: dict[str, sympy.Expr]  # role (or a closed form's term) -> expression


@lru_cache(maxsize=None)
def count(arch: Arch, convention: str, mode: str, per: str, options: Options = Options()) -> Count:
    """Our count of one structure, in our symbols: per token, sequence or batch of N."""
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


# -- deciding comparisons for every config of a structure -----------------------------------

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


# -- the audit ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Worst:
    model: str
    l: int
    formula: str  # exact, as a fraction if need be
    flopdocs: str
    relative: float  # (formula - flopdocs) / flopdocs

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "l": self.l, "formula": self.formula, "flopdocs": self.flopdocs,
                "relative": self.relative}


@dataclass(frozen=True)
class Structure:
    """One structure's audit."""

    models: tuple[str, ...]  # catalogue models (or the given one) of this structure
    arch: Arch
    formula: sympy.Expr | None = None  # in our symbols
    difference: sympy.Expr | None = None
    by_role: dict[str, sympy.Expr] = field(default_factory=dict)
    divisions: tuple[tuple[str, Any], ...] = ()
    worst: tuple[Worst, ...] = ()
    skipped: str | None = None  # why it was not audited

    @property
    def equal(self) -> bool:
        return self.skipped is None and self.difference == 0


@dataclass(frozen=True)
class Audit:
    target: str
    convention: str
    mode: str
    per: str
    structures: tuple[Structure, ...]

    @property
    def audited(self) -> tuple[Structure, ...]:
        return tuple(s for s in self.structures if s.skipped is None)

    @property
    def equal(self) -> bool:
        return bool(self.audited) and all(s.equal for s in self.audited)

    @property
    def difference(self) -> sympy.Expr:
        """The first structure's difference that is not 0 (0 when every one is)."""
        for s in self.audited:
            if s.difference != 0:
                return s.difference
        return sympy.Integer(0)

    @property
    def by_role(self) -> dict[str, sympy.Expr]:
        for s in self.audited:
            if s.difference != 0:
                return s.by_role
        return {}

    @property
    def worst(self) -> tuple[Worst, ...]:
        return tuple(w for s in self.audited for w in s.worst)[:WORST]


def as_keys(e: Any) -> sympy.Expr:
    """An expression in our symbols, written in the README's key names."""
    return as_expr(e).xreplace(key_symbols())


def text(e: Any) -> str:
    """An expression as sympy prints it in key names (it parses back with sympy's
    ``parse_expr`` given the key names as symbols)."""
    return sympy.sstr(as_keys(e), order="grlex")


def split(difference: sympy.Expr, parts: Mapping[str, sympy.Expr]) -> dict[str, sympy.Expr]:
    """The difference's terms grouped by the part (role) whose count has that monomial; a
    term several parts share goes to their joined names, one no part has to ``other``."""
    owners: dict[sympy.Expr, list[str]] = {}
    for name, expr in parts.items():
        for term in sympy.Add.make_args(expr):
            owners.setdefault(term.as_coeff_Mul()[1], []).append(name)
    out: dict[str, sympy.Expr] = {}
    for term in sympy.Add.make_args(sympy.expand(difference)):
        if term == 0:
            continue
        mono = term.as_coeff_Mul()[1]
        who = owners.get(mono)
        key = "other" if not who else "+".join(dict.fromkeys(who))
        out[key] = out.get(key, 0) + term
    return out


def audit(target: symbolic_run.Target, mapping: Mapping[str, Any], convention: str = "flopdocs",
          mode: str = "training", per: str = "token", model: Config | None = None,
          catalogue_models: Sequence[Config] | None = None, options: Options = Options()) -> Audit:
    """The formula minus our count, per structure (``model``'s, or every structure of the
    catalogue), evaluated at ``model`` (or the structure's catalogue models) at its own l
    and :data:`LENGTHS`; a one-line ConfigError for a convention, mode or unit out of range, or a
    formula that cannot run."""
    conv = conventions.get(convention)
    if mode not in MODES:
        raise ConfigError(f"must be one of {', '.join(MODES)} (an audit compares whole passes), "
                          f"got {mode!r}", origin="--mode")
    if mode not in conv.MODES:
        raise ConfigError(f"the {conv.NAME} convention does not define mode {mode}", origin="--mode")
    if per not in PER:
        raise ConfigError(f"must be one of {', '.join(PER)}, got {per!r}", origin="--per")
    check(conv.NAME, mode, options)
    symbolic_run.check_source(target)
    groups: dict[Arch, list[Config]] = {}
    if model is not None:
        groups[model.arch] = [model]
    else:
        if catalogue_models is None:
            from flopdocs.config import catalogue
            catalogue_models = catalogue.models()
        for cfg in catalogue_models:
            groups.setdefault(cfg.arch, []).append(cfg)
    out = []
    errors = []
    for arch, cfgs in groups.items():
        evaluated = cfgs  # the given model (at the lengths below), or the structure's catalogue models
        try:
            out.append(_structure(target, mapping, conv.NAME, mode, per, arch, cfgs, evaluated, options))
        except ConfigError as e:
            if model is not None:
                raise
            errors.append(e)
            out.append(Structure(models=tuple(c.name for c in cfgs), arch=arch, skipped=str(e)))
    if not any(s.skipped is None for s in out):
        if errors:
            raise errors[0]
        raise ConfigError(out[0].skipped if out else "no structure to audit")
    return Audit(target=target.where, convention=conv.NAME, mode=mode, per=per, structures=tuple(out))


def _structure(target, mapping, convention, mode, per, arch, cfgs, evaluated, options) -> Structure:
    try:
        ours = count(arch, convention, mode, per, options)
    except ConfigError as e:  # a closed form that does not count this structure
        return Structure(models=tuple(c.name for c in cfgs), arch=arch, skipped=str(e))
    values = bind(implicit(target, mapping), arch)
    ctx = symbolic_run.Context(decide=decider(arch), proven_whole=proven_whole(arch))
    run = symbolic_run.run(target, values, ctx)
    f = sympy.expand(run.value)
    diff = sympy.expand(f - ours.total)
    by_role = split(diff, ours.parts) if diff != 0 else {}
    worst = _worst(target, mapping, f, ours.total, run.divisions, arch, evaluated, per)
    return Structure(models=tuple(c.name for c in cfgs), arch=arch, formula=f, difference=diff,
                     by_role=by_role, divisions=run.divisions, worst=worst)


def implicit(target: symbolic_run.Target, mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping, plus each parameter without a default whose name is one of
    :data:`NAME_LIST` and that the mapping does not give (``def f(d_model, l)`` needs no
    ``--arg``)."""
    import inspect

    out = dict(mapping)
    for name, p in inspect.signature(target.function).parameters.items():
        if name not in out and name in NAME_LIST and p.default is p.empty and \
                p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            out[name] = _Name(name)
    return out


def _lengths(cfg: Config, arch: Arch) -> list[Config]:
    out = [cfg]
    if arch.encoder_decoder:
        return out
    for n in LENGTHS:
        if n == cfg["l"]:
            continue
        try:
            other = cfg.with_values({"l": n}, cfg.origin)
        except ConfigError:
            continue  # past a learned table's rows
        if other.arch == arch:
            out.append(other)
    return out


def _worst(target, mapping, f, ours, divisions, arch, cfgs, per) -> tuple[Worst, ...]:
    out = []
    for base in cfgs:
        for cfg in _lengths(base, arch):
            dims = {**cfg.dims, S.N: cfg.n_sequences}
            reps = {s: sympy.Integer(v) for s, v in dims.items()}
            c = ours.xreplace(reps)
            if divisions:  # the floors, config by config: run again on numbers
                values = {k: (v.xreplace(reps) if isinstance(v, sympy.Basic) else v)
                          for k, v in bind(implicit(target, mapping), arch).items()}
                ctx = symbolic_run.Context(decide=symbolic_run.concrete_decide)
                v = symbolic_run.run(target, values, ctx).value
            else:
                v = f.xreplace(reps)
            if c == 0:
                continue
            rel = (v - c) / c
            if abs(rel) > THRESHOLD:
                out.append(Worst(model=base.name, l=cfg["l"], formula=_num(v), flopdocs=_num(c),
                                 relative=float(rel)))
    return tuple(out)


def _num(x: sympy.Expr) -> str:
    return str(int(x)) if x.is_Integer else str(x)
