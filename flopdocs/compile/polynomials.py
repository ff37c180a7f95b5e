"""Our cost expressions as exact polynomial fractions: the form every printer shares.

A cost expression is a sympy object our layers build: sums and products of integer
symbols (the model's dimensions, each at least 1), rationals and integer powers.  Here it
becomes a fraction ``P(x) / D(x)`` (:class:`Ratio`) of an integer polynomial over a
positive integer times a product of symbols (never zero).  A form outside these
(``Min``, a float, a sum in a denominator) is :class:`NotCompilable`.  Nothing here
writes or runs code (:mod:`flopdocs.compile.codegen` does).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
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


class Converter:
    """sympy expression -> :data:`Laurent` over a fixed symbol order (memoised)."""

    def __init__(self, symbols: Sequence[Symbol]):
        self.index = {s: i for i, s in enumerate(symbols)}
        self.zero: Exponents = (0,) * len(symbols)
        self.memo: dict[Any, Laurent] = {}
        self.ratios: dict[Any, Ratio] = {}

    def ratio(self, expr: Any) -> Ratio:
        """:func:`ratio` of the expression's polynomial, once per expression."""
        if isinstance(expr, bool):  # True == 1 as a key: refused as __call__ refuses it
            self(expr)
        found = self.ratios.get(expr)
        if found is None:
            found = self.ratios[expr] = ratio(self(expr), len(self.zero))
        return found

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


_CONVERTERS: dict[tuple[Symbol, ...], Converter] = {}


def converter(symbols: Sequence[Symbol]) -> Converter:
    """The converter over ``symbols``, shared by every compile over the same symbols: the
    structures of a sweep or of the calculator's grid share most of their expressions."""
    key = tuple(symbols)
    found = _CONVERTERS.get(key)
    if found is None:
        if len(_CONVERTERS) >= 256:
            _CONVERTERS.clear()
        found = _CONVERTERS[key] = Converter(key)
    return found


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
