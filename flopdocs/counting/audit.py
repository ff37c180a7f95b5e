"""``flopdocs audit``: a framework's FLOPs formula minus our count, exactly, for every config.

For each structure (an :class:`~flopdocs.config.arch.Arch`: the given model's, or every
structure of the catalogue), the formula is run with symbols (:mod:`.symbolic_run`) through
the user's mapping of its argument names to config keys and derived quantities
(:mod:`.audit_names`), and our count under a convention, mode and unit (per token, sequence or batch)
is subtracted.  The difference is a sympy expression: identically 0 ("equal for every
config") or a polynomial (a rational function per token) in the config keys, split by role
where its terms are the monomials of one role's count, with the catalogue models and
lengths where it exceeds 1 %.  Our count and the structure's facts: :mod:`.audit_count`.

Nothing here parses user text as an expression (a mapping's right-hand side is a name
looked up, an integer or true/false/none), prints, or reads a file but the
catalogue; the CLI (:mod:`flopdocs.cli.audit`) formats.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import prod
from typing import Any

import sympy

from flopdocs import conventions
from flopdocs.config import symbols as S
from flopdocs.config.arch import Arch
from flopdocs.config.config import Config
from flopdocs.compile.polynomials import Converter, NotCompilable
from flopdocs.counting import symbolic_run
from flopdocs.counting.analysis import check
from flopdocs.counting.audit_count import MEMORY_MODES, count, decider, proven_whole
from flopdocs.counting.audit_names import bind, implicit, key_symbols
from flopdocs.counting.formula_source import Target, check_source
from flopdocs.counting.modes import Options
from flopdocs.counting.symbolic_value import Context, concrete_decide
from flopdocs.errors import ConfigError
from flopdocs.structure.tree import as_expr

MODES = ("forward", "training", "training-recompute", *MEMORY_MODES)
PER = ("token", "sequence", "batch", "device")
#: Devices the memory audits' catalogue models are evaluated at (one node of eight).
DEVICES = 8
#: Relative difference above which a catalogue model and length is listed.
THRESHOLD = sympy.Rational(1, 100)
#: Lengths each catalogue model is also evaluated at (beside its own l), when its structure allows.
LENGTHS = (2048, 8192, 32768, 131072)
#: How many catalogue models and lengths the answer lists.
WORST = 10

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
        """The difference of :attr:`shown` (0 when every structure's is)."""
        return self.shown.difference if self.shown is not None else sympy.Integer(0)

    @property
    def by_role(self) -> dict[str, sympy.Expr]:
        return self.shown.by_role if self.shown is not None else {}

    @property
    def shown(self) -> Structure | None:
        """The structure whose difference the answer shows: of those that differ, the one
        with the most catalogue models (the first in catalogue order among equals)."""
        differing = [s for s in self.audited if s.difference != 0]
        return max(differing, key=lambda s: len(s.models), default=None)

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


def audit(target: Target, mapping: Mapping[str, Any], convention: str = "flopdocs",
          mode: str = "training", per: str = "token", model: Config | None = None,
          catalogue_models: Sequence[Config] | None = None, options: Options = Options()) -> Audit:
    """The formula minus our count, per structure (``model``'s, or every structure of the
    catalogue), evaluated at ``model`` (or the structure's catalogue models) at its own l
    and :data:`LENGTHS`; a one-line ConfigError for a convention, mode or unit out of range, or a
    formula that cannot run."""
    conv = conventions.get(convention)
    if mode not in MODES:
        raise ConfigError(f"must be one of {', '.join(MODES)} (an audit compares whole passes, "
                          f"or a ZeRO stage's model states in bytes), got {mode!r}", origin="--mode")
    memory = mode in MEMORY_MODES
    if not memory and mode not in conv.MODES:
        raise ConfigError(f"the {conv.NAME} convention does not define mode {mode}", origin="--mode")
    if per not in PER or (per == "device") != memory:
        raise ConfigError(f"must be one of {', '.join(PER)} (device for a memory quantity, only), "
                          f"got {per!r}", origin="--per")
    check(conv.NAME, "training" if memory else mode, options)
    check_source(target)
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
    ctx = Context(decide=decider(arch), proven_whole=proven_whole(arch))
    run = symbolic_run.run(target, values, ctx)
    f = sympy.expand(run.value)
    diff = sympy.expand(f - ours.total)
    by_role = split(diff, ours.parts) if diff != 0 else {}
    worst = _worst(target, mapping, diff, ours.total, run.divisions, arch, evaluated, per)
    return Structure(models=tuple(c.name for c in cfgs), arch=arch, formula=f, difference=diff,
                     by_role=by_role, divisions=run.divisions, worst=worst)



def _lengths(cfg: Config, arch: Arch, per: str = "token") -> list[Config]:
    out = [cfg]
    if arch.encoder_decoder or per == "device":  # model states do not depend on l
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


def _compiled(expr: sympy.Expr):
    """Our own count as a function of a config's dims: its exact polynomial fraction
    (:mod:`flopdocs.compile.polynomials`, converted once), evaluated in integers; None
    where it is not one (a sum in a denominator: then each config substitutes)."""
    symbols = tuple(sorted(expr.free_symbols, key=str))
    try:
        r = Converter(symbols).ratio(expr)
    except NotCompilable:
        return None

    def value(dims: Mapping) -> Fraction | None:
        if any(s not in dims for s in symbols):
            return None
        x = [dims[s] for s in symbols]
        top = sum(c * prod(v ** e for v, e in zip(x, es)) for es, c in r.terms)
        return Fraction(top, r.scale * prod(v ** e for v, e in zip(x, r.shift)))
    return value


def _worst(target, mapping, diff, ours, divisions, arch, cfgs, per) -> tuple[Worst, ...]:
    """Catalogue models and lengths where the formula (our count + ``diff``) is more than
    :data:`THRESHOLD` away from ours."""
    if not divisions and diff == 0:
        return ()  # equal for every config: nowhere above the threshold
    out = []
    ours_at, diff_at = _compiled(ours), _compiled(diff)
    for base in cfgs:
        for cfg in _lengths(base, arch, per):
            dims = {**cfg.dims, S.N: cfg.n_sequences, S.devices: DEVICES}
            reps = {s: sympy.Integer(v) for s, v in dims.items()}
            c = ours_at(dims) if ours_at else None
            c = ours.xreplace(reps) if c is None else sympy.Rational(c.numerator, c.denominator)
            if divisions:  # the floors, config by config: run again on numbers
                values = {k: (v.xreplace(reps) if isinstance(v, sympy.Basic) else v)
                          for k, v in bind(implicit(target, mapping), arch).items()}
                ctx = Context(decide=concrete_decide)
                v = symbolic_run.run(target, values, ctx).value
            else:
                d = diff_at(dims) if diff_at else None
                v = c + (diff.xreplace(reps) if d is None else sympy.Rational(d.numerator, d.denominator))
            if c == 0:
                continue
            rel = (v - c) / c
            if abs(rel) > THRESHOLD:
                out.append(Worst(model=base.name, l=cfg["l"], formula=_num(v), flopdocs=_num(c),
                                 relative=float(rel)))
    return tuple(out)


def _num(x: sympy.Expr) -> str:
    return str(int(x)) if x.is_Integer else str(x)
