"""Values of a formula run on symbols: exact numbers and expressions, and the builtins that follow them.

A :class:`Value` wraps one of our own sympy expressions; arithmetic with ints, floats
(each the simplest fraction that is the same double: 0.5 -> 1/2, 1/3 -> 1/3), Fractions and
other Values gives Values; a comparison gives a bool when :attr:`Context.decide` decides it
for every config of the structure, else :class:`Refused`.  ``a // b``, ``int(x)``,
``round``, ``floor`` and ``ceil`` are exact when the quotient is proven whole; otherwise the
exact quotient is kept and recorded in :attr:`Context.divisions` (as the compiled evaluator
checks a whole number at every config), so the caller can audit the floor config by config.
:data:`SHIMS` and :func:`math_module` stand in for the builtins and ``math`` functions a
formula calls.  Nothing here imports or runs user code (:mod:`.symbolic_run` does), and
nothing parses text.
"""
from __future__ import annotations

import math
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from flopdocs.config.keys import KEYS

#: Our symbols -> plain symbols named as the config keys, for messages.
_KEY_NAMES = {k.symbol: sympy.Symbol(k.name) for k in KEYS if k.symbol is not None}


class Refused(Exception):
    """A construct the symbolic run cannot follow; ``str()`` names it."""


def exact(x: Any) -> sympy.Expr:
    """An int, float, Fraction or Value as a sympy number or expression (floats exact)."""
    if isinstance(x, Value):
        return x.expr
    if isinstance(x, bool):
        return sympy.Integer(int(x))
    if isinstance(x, int):
        return sympy.Integer(x)
    if isinstance(x, Fraction):
        return sympy.Rational(x.numerator, x.denominator)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise Refused(f"a float that is not finite ({x!r})")
        simplest = Fraction(x).limit_denominator(10 ** 9)
        q = simplest if float(simplest) == x else Fraction(x)
        return sympy.Rational(q.numerator, q.denominator)
    if isinstance(x, sympy.Basic):
        return x
    raise Refused(f"a {type(x).__name__} in arithmetic with a symbol")


@dataclass
class Context:
    """What one run shares: how comparisons are decided, what was approximated."""

    decide: Callable[[sympy.Expr], int | None]  # sign of an expression for every config, or None
    proven_whole: Callable[[sympy.Expr], bool] = lambda q: bool(q.is_integer)  # by the structure's rules
    divisions: list[tuple[str, Any]] = field(default_factory=list)  # (what, exact quotient)

    def whole(self, q: sympy.Expr, what: str) -> sympy.Expr:
        """``q`` floored: itself when sympy proves it whole; with numbers, the floor; else
        ``q`` kept exact and ``what`` recorded."""
        if q.is_number:
            return sympy.floor(q)
        if self.proven_whole(q):
            return q
        self.divisions.append((what, q))
        return q


class Value:
    """A number or expression in a formula's run: arithmetic gives Values, comparisons bools."""

    __slots__ = ("expr", "ctx")

    def __init__(self, expr: sympy.Expr, ctx: Context):
        self.expr, self.ctx = expr, ctx

    def _new(self, expr: sympy.Expr) -> "Value":
        return Value(expr, self.ctx)

    # -- arithmetic ----------------------------------------------------------------
    def __add__(self, o): return self._new(self.expr + exact(o))
    def __radd__(self, o): return self._new(exact(o) + self.expr)
    def __sub__(self, o): return self._new(self.expr - exact(o))
    def __rsub__(self, o): return self._new(exact(o) - self.expr)
    def __mul__(self, o): return self._new(self.expr * exact(o))
    def __rmul__(self, o): return self._new(exact(o) * self.expr)
    def __neg__(self): return self._new(-self.expr)
    def __pos__(self): return self

    def __truediv__(self, o):
        d = exact(o)
        if d == 0:
            raise ZeroDivisionError("division by zero")
        return self._new(self.expr / d)

    def __rtruediv__(self, o):
        if self.expr == 0:
            raise ZeroDivisionError("division by zero")
        return self._new(exact(o) / self.expr)

    def __floordiv__(self, o):
        return self._floordiv(self.expr, exact(o))

    def __rfloordiv__(self, o):
        return self._floordiv(exact(o), self.expr)

    def _floordiv(self, a, b):
        if b == 0:
            raise ZeroDivisionError("integer division by zero")
        return self._new(self.ctx.whole(sympy.cancel(a / b), f"({text(a)}) // ({text(b)})"))

    def __mod__(self, o):
        a, b = self.expr, exact(o)
        q = sympy.cancel(a / b)
        if q.is_integer:
            return self._new(sympy.Integer(0))
        if q.is_number:
            return self._new(a - b * sympy.floor(q))
        raise Refused(f"a remainder of symbols ({text(a)} % {text(b)})")

    def __pow__(self, o):
        e = exact(o)
        if not e.is_number:
            raise Refused("a power with a symbolic exponent")
        return self._new(self.expr ** e)

    def __rpow__(self, o):
        if not self.expr.is_number:
            raise Refused("a power with a symbolic exponent")
        return self._new(exact(o) ** self.expr)

    def __abs__(self):
        s = self.ctx.decide(self.expr)
        if s is None:
            raise Refused(f"abs() of {text(self.expr)}, whose sign differs between configs")
        return self if s >= 0 else -self

    def __round__(self, n=None):
        if n is not None:
            raise Refused("round() to digits")
        return self._new(self.ctx.whole(self.expr, f"round({text(self.expr)})"))

    def __floor__(self):
        return self._new(self.ctx.whole(self.expr, f"floor({text(self.expr)})"))

    def __ceil__(self):
        return self._new(-self.ctx.whole(-self.expr, f"ceil({text(self.expr)})"))

    # -- comparisons: decided for every config of the structure, or refused ----------
    def _sign(self, o, op: str) -> int:
        d = sympy.expand(self.expr - exact(o))
        s = self.ctx.decide(d)
        if s is None:
            raise Refused(f"a comparison {text(self.expr)} {op} {text(exact(o))} that differs "
                          "between configs of this structure")
        return s

    def __lt__(self, o): return self._sign(o, "<") < 0
    def __le__(self, o): return self._sign(o, "<=") <= 0
    def __gt__(self, o): return self._sign(o, ">") > 0
    def __ge__(self, o): return self._sign(o, ">=") >= 0

    def __eq__(self, o):
        if o is None or isinstance(o, (str, bytes)):
            return False
        return self._sign(o, "==") == 0

    def __ne__(self, o):
        return not self.__eq__(o)

    def __hash__(self):
        return hash(self.expr)

    def __bool__(self):
        return self._sign(0, "!=") != 0

    # -- what cannot be followed symbolically --------------------------------------
    def __index__(self):
        if self.expr.is_Integer:
            return int(self.expr)
        raise Refused(f"a loop or index over a symbol ({text(self.expr)})")

    def __iter__(self):
        raise Refused(f"iterating over a symbol ({text(self.expr)})")

    def __float__(self):
        if self.expr.is_number:
            return float(self.expr)
        raise Refused(f"a float conversion of a symbol ({text(self.expr)}) outside the formula's arithmetic")

    def __int__(self):
        if self.expr.is_Integer:
            return int(self.expr)
        raise Refused(f"an int conversion of a symbol ({text(self.expr)}) outside the formula's arithmetic")

    def __array__(self, *a, **k):
        raise Refused("a tensor or array")

    def __repr__(self):
        return f"Value({text(self.expr)})"


def text(e: Any) -> str:
    if isinstance(e, sympy.Basic):
        e = e.xreplace(_KEY_NAMES)
    t = str(e)
    return t if len(t) <= 60 else t[:57] + "..."


def concrete_decide(e: sympy.Expr) -> int | None:
    """The sign of a number (a concrete run: every value known)."""
    if not e.is_number:
        return None
    return (e > 0) - (e < 0)


# -- the builtins and math functions a formula may call --------------------------------

def _sym_int(x=0, *rest):
    if rest or isinstance(x, (str, bytes)):
        return int(x, *rest)
    if isinstance(x, Value):
        return x._new(x.ctx.whole(x.expr, f"int({text(x.expr)})"))
    return int(x)


def _sym_float(x=0.0):
    return x if isinstance(x, Value) else float(x)


def sym_sqrt(x):
    if isinstance(x, Value):
        return x._new(sympy.sqrt(x.expr))
    return math.sqrt(x)


def sym_floor(x):
    return math.floor(x) if not isinstance(x, Value) else x.__floor__()


def sym_ceil(x):
    return math.ceil(x) if not isinstance(x, Value) else x.__ceil__()


def _refuse(what: str):
    def refuse(*a, **k):
        raise Refused(what)
    return refuse


class _Math(types.ModuleType):
    """``math`` with sqrt, floor and ceil that follow symbols; every other name is math's."""

    def __getattr__(self, name):
        return getattr(math, name)


def math_module() -> types.ModuleType:
    m = _Math("math")
    m.sqrt, m.floor, m.ceil = sym_sqrt, sym_floor, sym_ceil
    return m


SHIMS: dict[str, Any] = {
    "int": _sym_int, "float": _sym_float,
    "open": _refuse("I/O (open)"), "print": _refuse("I/O (print)"), "input": _refuse("I/O (input)"),
    "exec": _refuse("exec"), "eval": _refuse("eval"), "__import__": _refuse("an import"),
    "breakpoint": _refuse("breakpoint"),
}
