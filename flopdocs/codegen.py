"""Our own polynomials as straight-line integer code: the one compile step, made safe.

A cost expression is a sympy object our layers build: sums and products of integer
symbols (the model's dimensions, each at least 1), rationals and integer powers.  Here it
becomes, once, a fraction ``P(x) / D(x)`` of an integer polynomial over a positive
integer times a product of symbols (never zero), and a set of them becomes one generated
Python function of the dimensions: monomials shared, each distinct polynomial computed
once, every value an exact ``int``.  Where ``D != 1`` the function divides with
``divmod`` and returns ``None`` if a remainder is not zero (the value is not whole): the
caller then asks the reference, which raises its own error.  A form outside these
(``Min``, a float, a sum in a denominator) is :class:`NotCompilable`.

Safety: the source is generated from our expression trees only, never from text a user
wrote: arguments are positional (``x0, x1, ...``), numbers are our polynomials' integer
coefficients, and config values arrive as arguments at call time.  :func:`_define`
checks every line against the generator's small grammar, then runs it with no builtins
but ``divmod``; it is the one ``exec`` in the package (``tests/test_no_eval.py``).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

import sympy
from sympy import Symbol

Exponents = tuple[int, ...]
#: A Laurent polynomial: exponents (may be negative) -> rational coefficient.
Laurent = dict[Exponents, Fraction]


class NotCompilable(Exception):
    """An expression outside sums, products, integer powers, rationals and symbols."""


# -- expressions as exact polynomials ------------------------------------------------


def _mul(a: Laurent, b: Laurent) -> Laurent:
    out: Laurent = {}
    for ea, ca in a.items():
        for eb, cb in b.items():
            e = tuple(x + y for x, y in zip(ea, eb))
            c = out.get(e, 0) + ca * cb
            if c:
                out[e] = c
            else:
                out.pop(e, None)
    return out


def _add(terms: Iterable[Laurent]) -> Laurent:
    out: Laurent = {}
    for t in terms:
        for e, c in t.items():
            s = out.get(e, 0) + c
            if s:
                out[e] = s
            else:
                out.pop(e, None)
    return out


class _Converter:
    """sympy expression -> :data:`Laurent` over a fixed symbol order (memoised)."""

    def __init__(self, symbols: Sequence[Symbol]):
        self.index = {s: i for i, s in enumerate(symbols)}
        self.zero: Exponents = (0,) * len(symbols)
        self.memo: dict[Any, Laurent] = {}

    def __call__(self, expr: Any) -> Laurent:
        if isinstance(expr, bool):
            raise NotCompilable(f"a bool is not a cost: {expr!r}")
        if isinstance(expr, int):
            return {self.zero: Fraction(expr)} if expr else {}
        if not isinstance(expr, sympy.Basic):
            raise NotCompilable(f"not a sympy expression: {type(expr).__name__}")
        found = self.memo.get(expr)
        if found is None:
            found = self.memo[expr] = self._convert(expr)
        return found

    def _convert(self, expr: sympy.Basic) -> Laurent:
        if expr.is_Rational:  # Integer, Rational, Zero, One, NegativeOne, Half
            value = Fraction(int(expr.p), int(expr.q))
            return {self.zero: value} if value else {}
        if expr.is_Symbol:
            if expr not in self.index:
                raise NotCompilable(f"unknown symbol {expr}")
            e = [0] * len(self.zero)
            e[self.index[expr]] = 1
            return {tuple(e): Fraction(1)}
        if expr.is_Add:
            return _add(self(a) for a in expr.args)
        if expr.is_Mul:
            out: Laurent = {self.zero: Fraction(1)}
            for a in expr.args:
                out = _mul(out, self(a))
            return out
        if expr.is_Pow and expr.exp.is_Integer:
            base, n = self(expr.base), int(expr.exp)
            if n < 0:
                if len(base) != 1:  # 1 / (a + b): not a polynomial fraction we divide by
                    raise NotCompilable(f"a sum in a denominator: {expr}")
                (e, c), = base.items()
                base, n = {tuple(-x for x in e): 1 / c}, -n
            out = {self.zero: Fraction(1)}
            for _ in range(n):
                out = _mul(out, base)
            return out
        raise NotCompilable(f"{type(expr).__name__} is not compiled: {expr}")


@dataclass(frozen=True)
class Ratio:
    """``P(x) / (scale · x**shift)``: ``P`` has integer coefficients and exponents >= 0."""

    terms: tuple[tuple[Exponents, int], ...]  # P, sorted
    scale: int  # a positive integer
    shift: Exponents  # the denominator's monomial

    @property
    def exact(self) -> bool:
        """True when the value is an integer for every integer input (no division)."""
        return self.scale == 1 and not any(self.shift)


def ratio(poly: Laurent, n: int) -> Ratio:
    """A Laurent polynomial as integer polynomial over a positive monomial denominator."""
    scale = lcm(1, *(c.denominator for c in poly.values()))
    shift = tuple(max(0, *(-e[i] for e in poly)) if poly else 0 for i in range(n))
    terms = tuple(sorted((tuple(x + s for x, s in zip(e, shift)), int(c * scale)) for e, c in poly.items()))
    return Ratio(terms=terms, scale=scale, shift=shift)


# -- code generation ------------------------------------------------------------------


class _Writer:
    """Straight-line code: monomials shared, each distinct polynomial computed once."""

    def __init__(self, n: int):
        self.n = n
        self.lines: list[str] = []
        self.monomials: dict[Exponents, str] = {}
        for i in range(n):
            e = [0] * n
            e[i] = 1
            self.monomials[tuple(e)] = f"x{i}"
        self.polys: dict[tuple, str] = {}
        self.count = 0

    def _name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def monomial(self, e: Exponents) -> str:
        """A name holding ``x**e`` (degree >= 1): the largest monomial already made that
        divides it, times the rest."""
        found = self.monomials.get(e)
        if found is not None:
            return found
        best = max((k for k in self.monomials if k != e and all(a <= b for a, b in zip(k, e))),
                   key=sum)  # a single symbol always divides: the inputs are known
        left, right = self.monomial(best), self.monomial(tuple(x - b for x, b in zip(e, best)))
        name = self._name("m")
        self.lines.append(f"{name} = {left} * {right}")
        self.monomials[e] = name
        return name

    def polynomial(self, terms: tuple[tuple[Exponents, int], ...]) -> str:
        """A name (or an integer literal) holding the polynomial's value."""
        if not terms:
            return "0"
        if len(terms) == 1:
            (e, c), = terms
            if not any(e):
                return str(c)
            if c == 1:
                return self.monomial(e)
        found = self.polys.get(terms)
        if found is not None:
            return found
        parts = []
        for e, c in terms:
            if not any(e):
                text = str(abs(c))
            elif abs(c) == 1:
                text = self.monomial(e)
            else:
                text = f"{abs(c)} * {self.monomial(e)}"
            parts.append(("-" if c < 0 else "+", text))
        body = ("-" if parts[0][0] == "-" else "") + parts[0][1]
        body += "".join(f" {sign} {text}" for sign, text in parts[1:])
        name = self._name("p")
        self.lines.append(f"{name} = {body}")
        self.polys[terms] = name
        return name

    def value(self, r: Ratio) -> str:
        """A name (or literal) holding ``r``'s exact value; ``return None`` if not whole."""
        top = self.polynomial(r.terms)
        if r.exact:
            return top
        key = (r.terms, r.scale, r.shift)
        found = self.polys.get(key)
        if found is not None:
            return found
        den = self.polynomial(((r.shift, r.scale),))
        q, rem = self._name("q"), self._name("r")
        self.lines.append(f"{q}, {rem} = divmod({top}, {den})")
        self.lines.append(f"if {rem}:")
        self.lines.append("    return None")
        self.polys[key] = q
        return q


def generate(outputs: Sequence[Ratio], checks: Sequence[Ratio], n: int) -> str:
    """The source of ``def f(x0, ..., x{n-1})`` returning the outputs' exact values as a
    tuple, or ``None`` when an output or a check is not a whole number."""
    w = _Writer(n)
    for r in checks:
        w.value(r)
    names = [w.value(r) for r in outputs]
    args = ", ".join(f"x{i}" for i in range(n))
    body = w.lines + [f"return ({', '.join(names)}{',' if len(names) == 1 else ''})"]
    return f"def f({args}):\n" + "".join(f"    {line}\n" for line in body)


_N = r"(?:[xmpq][0-9]+|-?[0-9]+)"  # a name generate() makes, or an integer
_TERM = rf"(?:[0-9]+ \* )?{_N}"
_LINES = re.compile("|".join([
    r"def f\((?:x[0-9]+(?:, x[0-9]+)*)?\):",
    r"    m[0-9]+ = [xm][0-9]+ \* [xm][0-9]+",
    rf"    p[0-9]+ = -?{_TERM}(?: [-+] {_TERM})*",
    rf"    q[0-9]+, r[0-9]+ = divmod\({_N}, {_N}\)",
    r"    if r[0-9]+:",
    r"        return None",
    rf"    return \((?:{_N}(?:, {_N})*,?)?\)",
]))


def _check_source(source: str) -> None:
    """Every line is one :func:`generate` writes: a def of ``x0, x1, ...``, assignments of
    sums of integer multiples of our names, ``divmod`` of two of them, ``if r: return None``
    and the returned tuple.  Nothing else (no attribute, call, string or other name)."""
    for line in source.splitlines():
        if not _LINES.fullmatch(line):
            raise ValueError(f"generated code has an unexpected line: {line!r}")


def _define(source: str) -> Callable[..., tuple[int, ...] | None]:
    """The one place generated code becomes a function (``tests/test_no_eval.py`` allows this
    call, no other): ``source`` is :func:`generate`'s, over our own expressions, every line
    checked; it runs with no builtins but ``divmod``."""
    _check_source(source)
    namespace: dict[str, Any] = {}
    exec(source, {"__builtins__": {"divmod": divmod}}, namespace)  # noqa: S102 (see above)
    return namespace["f"]


def symbols_of(exprs: Iterable[Any], order: Sequence[Symbol] = ()) -> tuple[Symbol, ...]:
    """The symbols the expressions use: those in ``order`` first (in its order), then the
    rest by name."""
    found: set[Symbol] = set()
    for e in exprs:
        if isinstance(e, sympy.Basic):
            found |= e.free_symbols
    first = [s for s in order if s in found]
    return tuple(first + sorted(found - set(first), key=str))


@dataclass(frozen=True)
class Program:
    """Expressions compiled together: ``function(*ints)`` -> their exact values, or None."""

    symbols: tuple[Symbol, ...]  # the arguments, in order
    function: Callable[..., tuple[int, ...] | None]
    source: str
    ratios: tuple[Ratio, ...]  # the outputs as polynomial fractions (for other printers)


def compile_exprs(outputs: Sequence[Any], checks: Sequence[Any] = (),
                  order: Sequence[Symbol] = ()) -> Program:
    """Compile expressions (sympy or int) into one :class:`Program`.  ``checks`` are
    expressions that must be whole numbers but whose values are not returned."""
    symbols = symbols_of([*outputs, *checks], order)
    conv = _Converter(symbols)
    n = len(symbols)
    out = [ratio(conv(e), n) for e in outputs]
    # a check that is an output already, or always whole, costs nothing
    extra = [r for r in dict.fromkeys(ratio(conv(e), n) for e in checks) if not r.exact and r not in out]
    source = generate(out, extra, n)
    return Program(symbols=symbols, function=_define(source), source=source, ratios=tuple(out))
