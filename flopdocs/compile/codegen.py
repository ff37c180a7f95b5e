"""Our own polynomials as straight-line integer code: the one compile step, made safe.

Each expression becomes, once, a :class:`~flopdocs.compile.polynomials.Ratio` ``P(x) / D(x)``
(:mod:`flopdocs.compile.polynomials`), and a set of them one :class:`Code`: straight-line
integer steps over the dimensions, monomials shared, each distinct polynomial computed
once; where ``D != 1`` a division whose remainder must be zero (else the value is not
whole and the code answers "not whole": the caller asks the reference, which raises
its own error).  :func:`python` prints a :class:`Code` as a Python function (every value
an exact ``int``); :mod:`flopdocs.compile.codegen_js` prints the same :class:`Code` as
JavaScript over BigInt (the site's calculator).  Nothing here decides which expressions
are compiled (:mod:`flopdocs.compile.compiled`, :mod:`flopdocs.counting.rows`).

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
from typing import Any

import sympy
from sympy import Symbol

from flopdocs.compile.polynomials import (Exponents, Laurent, NotCompilable, Ratio, Converter,
                                          converter, ratio)

# -- code generation ------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """Straight-line integer code, before any language prints it: ``steps`` in order
    (``("mul", m, a, b)``: m = a·b; ``("sum", p, terms)``: p = Σ ±c·name, each term
    ``(negative, c, name or None for the constant c)``; ``("div", q, r, top, den)``: q, r =
    top ÷ den, and the answer is "not whole" unless r is 0), then ``outputs``: each a name
    the writer made (``x0``, ``m1``, ``p2``, ``q3``) or an int."""

    n: int  # arguments x0 .. x{n-1}
    steps: tuple[tuple, ...]
    outputs: tuple[Any, ...]


class _Writer:
    """Straight-line code: monomials shared, each distinct polynomial computed once."""

    def __init__(self, n: int):
        self.steps: list[tuple] = []
        self.monomials: dict[Exponents, str] = {}
        for i in range(n):
            e = [0] * n
            e[i] = 1
            self.monomials[tuple(e)] = f"x{i}"
        self.polys: dict[tuple, Any] = {}
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
        self.steps.append(("mul", name, left, right))
        self.monomials[e] = name
        return name

    def polynomial(self, terms: tuple[tuple[Exponents, int], ...]) -> Any:
        """A name (or an int) holding the polynomial's value."""
        if not terms:
            return 0
        if len(terms) == 1:
            (e, c), = terms
            if not any(e):
                return c
            if c == 1:
                return self.monomial(e)
        found = self.polys.get(terms)
        if found is not None:
            return found
        parts = tuple((c < 0, abs(c), self.monomial(e) if any(e) else None) for e, c in terms)
        name = self._name("p")
        self.steps.append(("sum", name, parts))
        self.polys[terms] = name
        return name

    def value(self, r: Ratio) -> Any:
        """A name (or int) holding ``r``'s exact value (the code answers "not whole" first)."""
        top = self.polynomial(r.terms)
        if r.exact:
            return top
        key = (r.terms, r.scale, r.shift)
        found = self.polys.get(key)
        if found is not None:
            return found
        den = self.polynomial(((r.shift, r.scale),))
        q, rem = self._name("q"), self._name("r")
        self.steps.append(("div", q, rem, top, den))
        self.polys[key] = q
        return q


def straight_line(outputs: Sequence[Ratio], checks: Sequence[Ratio], n: int) -> Code:
    """The :class:`Code` computing the outputs, or "not whole" when an output or a check
    is not a whole number."""
    w = _Writer(n)
    for r in checks:
        w.value(r)
    names = tuple(w.value(r) for r in outputs)
    return Code(n=n, steps=tuple(w.steps), outputs=names)


def _python_term(c: int, name: str | None) -> str:
    return str(c) if name is None else name if c == 1 else f"{c} * {name}"


def joined(terms: Sequence[tuple[bool, int, str | None]], term: Callable[[int, str | None], str]) -> str:
    """A sum step's terms ``(negative, coefficient, name)`` as ``a + b - c``, each printed
    by ``term``; the first term's minus leads, a plus does not (every printer's sum)."""
    (negative, *first), *rest = terms
    return ("-" if negative else "") + term(*first) + "".join(
        f" {'-' if neg else '+'} {term(c, name)}" for neg, c, name in rest)


def python(code: Code) -> str:
    """The source of ``def f(x0, ..., x{n-1})`` returning the outputs as a tuple, or
    ``None`` when a value is not whole."""
    lines = []
    for step in code.steps:
        if step[0] == "mul":
            lines.append(f"{step[1]} = {step[2]} * {step[3]}")
        elif step[0] == "sum":
            lines.append(f"{step[1]} = {joined(step[2], _python_term)}")
        else:
            _, q, rem, top, den = step
            lines += [f"{q}, {rem} = divmod({top}, {den})", f"if {rem}:", "    return None"]
    names = [str(x) for x in code.outputs]
    args = ", ".join(f"x{i}" for i in range(code.n))
    body = lines + [f"return ({', '.join(names)}{',' if len(names) == 1 else ''})"]
    return f"def f({args}):\n" + "".join(f"    {line}\n" for line in body)


def generate(outputs: Sequence[Ratio], checks: Sequence[Ratio], n: int) -> str:
    """:func:`python` of :func:`straight_line`: the generated Python function's source."""
    return python(straight_line(outputs, checks, n))


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
    ratios: tuple[Ratio, ...]  # the outputs as polynomial fractions
    code: Code  # the straight-line form ``source`` prints (other printers print it too)

    @property
    def divides(self) -> bool:
        """Whether some value is a division that may not be whole (the function may answer None)."""
        return any(step[0] == "div" for step in self.code.steps)


def compile_exprs(outputs: Sequence[Any], checks: Sequence[Any] = (),
                  order: Sequence[Symbol] = ()) -> Program:
    """Compile expressions (sympy or int) into one :class:`Program`.  ``checks`` are
    expressions that must be whole numbers but whose values are not returned."""
    symbols = symbols_of([*outputs, *checks], order)
    conv = converter(symbols)
    n = len(symbols)
    out = [conv.ratio(e) for e in outputs]
    # a check that is an output already, or always whole, costs nothing
    given = set(outputs)  # an expression checked twice, or returned, is converted once
    extra = [r for r in dict.fromkeys(conv.ratio(e) for e in dict.fromkeys(checks) if e not in given)
             if not r.exact and r not in out]
    code = straight_line(out, extra, n)
    source = python(code)
    return Program(symbols=symbols, function=_define(source), source=source, ratios=tuple(out), code=code)
