"""Run one Python function with symbols for its arguments: the engine of ``flopdocs audit``.

A formula as frameworks write it (``6 * num_params + 12 * L * H * Q * T``, an ``if
args.swiglu``, ``dim // n_heads``) is run as it is, on :class:`Value` objects wrapping our
own sympy expressions; the result is the formula as one expression.  Nothing is parsed
from text: the user's code is imported and its function *called* (its file's top level
runs on import, like any import); the only sympy objects are the ones given in.

What the run supports: ``+ - * / ** //``, ``%``, unary minus, ``abs``, ``int()``,
``float()``, ``round``, ``max``/``min``, ``math.sqrt``/``floor``/``ceil``, comparisons and
``if`` on values the structure decides (each comparison is decided for every config of
the structure or refused), attribute reads from an argument object (``args.hidden_size``,
each mapped by name), dicts, default arguments.  A float becomes the simplest exact
fraction that is the same double (0.5 -> 1/2, 1/3 -> 1/3).  ``a // b`` and ``int(x)`` are
exact when sympy proves the quotient whole; otherwise the exact quotient is kept and the
operation recorded (:attr:`Run.divisions`), as the compiled evaluator checks a whole
number at every config, so the caller can audit the floor config by config.

What it refuses, in one line naming the construct and its line: a loop over a symbol
(``range(n_layers)``), ``while``/``for`` over a value it cannot know, I/O (``open``,
``print``, ``input``), another module (``torch``, ``numpy``: tensors), an import inside the
function, a comparison no structure decides.  Nothing here knows flopdocs' configs or
counts: the caller maps names to expressions (:mod:`flopdocs.counting.audit`).
"""
from __future__ import annotations

import ast
import math
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy

from flopdocs.config.keys import KEYS
from flopdocs.errors import ConfigError

#: Our symbols -> plain symbols named as the config keys, for messages.
_KEY_NAMES = {k.symbol: sympy.Symbol(k.name) for k in KEYS if k.symbol is not None}

#: Modules a formula may use (their functions are replaced by symbolic ones below).
ALLOWED_MODULES = frozenset({"math", "fractions", "operator", "functools", "typing"})


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
        return self._new(self.ctx.whole(sympy.cancel(a / b), f"({_text(a)}) // ({_text(b)})"))

    def __mod__(self, o):
        a, b = self.expr, exact(o)
        q = sympy.cancel(a / b)
        if q.is_integer:
            return self._new(sympy.Integer(0))
        if q.is_number:
            return self._new(a - b * sympy.floor(q))
        raise Refused(f"a remainder of symbols ({_text(a)} % {_text(b)})")

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
            raise Refused(f"abs() of {_text(self.expr)}, whose sign differs between configs")
        return self if s >= 0 else -self

    def __round__(self, n=None):
        if n is not None:
            raise Refused("round() to digits")
        return self._new(self.ctx.whole(self.expr, f"round({_text(self.expr)})"))

    def __floor__(self):
        return self._new(self.ctx.whole(self.expr, f"floor({_text(self.expr)})"))

    def __ceil__(self):
        return self._new(-self.ctx.whole(-self.expr, f"ceil({_text(self.expr)})"))

    # -- comparisons: decided for every config of the structure, or refused ----------
    def _sign(self, o, op: str) -> int:
        d = sympy.expand(self.expr - exact(o))
        s = self.ctx.decide(d)
        if s is None:
            raise Refused(f"a comparison {_text(self.expr)} {op} {_text(exact(o))} that differs "
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
        raise Refused(f"a loop or index over a symbol ({_text(self.expr)})")

    def __iter__(self):
        raise Refused(f"iterating over a symbol ({_text(self.expr)})")

    def __float__(self):
        if self.expr.is_number:
            return float(self.expr)
        raise Refused(f"a float conversion of a symbol ({_text(self.expr)}) outside the formula's arithmetic")

    def __int__(self):
        if self.expr.is_Integer:
            return int(self.expr)
        raise Refused(f"an int conversion of a symbol ({_text(self.expr)}) outside the formula's arithmetic")

    def __array__(self, *a, **k):
        raise Refused("a tensor or array")

    def __repr__(self):
        return f"Value({_text(self.expr)})"


def _text(e: Any) -> str:
    if isinstance(e, sympy.Basic):
        e = e.xreplace(_KEY_NAMES)
    t = str(e)
    return t if len(t) <= 60 else t[:57] + "..."


class Namespace:
    """An argument object (``args``, ``config``): each attribute read is looked up in the
    mapping by its name (``hidden_size``) or dotted path (``config.hidden_size``)."""

    def __init__(self, path: str, lookup: Callable[[str, str], Any]):
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_set", {})

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        written = object.__getattribute__(self, "_set")
        if name in written:
            return written[name]
        return object.__getattribute__(self, "_lookup")(object.__getattribute__(self, "_path"), name)

    def __setattr__(self, name: str, value: Any):  # Megatron writes args.num_query_groups
        object.__getattribute__(self, "_set")[name] = value

    def __getitem__(self, name):
        if not isinstance(name, str):
            raise Refused("an argument object indexed by a non-string")
        return self.__getattr__(name)

    def get(self, name, default=None):
        try:
            return self.__getattr__(name)
        except Unmapped:
            return default

    def _unmapped(self, *a, **k):
        raise Unmapped(object.__getattribute__(self, "_path"))

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unmapped
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __pow__ = __rpow__ = _unmapped
    __lt__ = __le__ = __gt__ = __ge__ = __index__ = __int__ = __float__ = __bool__ = _unmapped


class Unmapped(Exception):
    """An argument, or an attribute of one, that the mapping does not give."""


# -- the builtins and math functions a formula may call -----------------------------------

def _sym_int(x=0, *rest):
    if rest or isinstance(x, (str, bytes)):
        return int(x, *rest)
    if isinstance(x, Value):
        return x._new(x.ctx.whole(x.expr, f"int({_text(x.expr)})"))
    return int(x)


def _sym_float(x=0.0):
    return x if isinstance(x, Value) else float(x)


def _sym_sqrt(x):
    if isinstance(x, Value):
        return x._new(sympy.sqrt(x.expr))
    return math.sqrt(x)


def _sym_floor(x):
    return math.floor(x) if not isinstance(x, Value) else x.__floor__()


def _sym_ceil(x):
    return math.ceil(x) if not isinstance(x, Value) else x.__ceil__()


def _refuse(what: str):
    def refuse(*a, **k):
        raise Refused(what)
    return refuse


class _Math(types.ModuleType):
    """``math`` with sqrt, floor and ceil that follow symbols; every other name is math's."""

    def __getattr__(self, name):
        return getattr(math, name)


def _math() -> types.ModuleType:
    m = _Math("math")
    m.sqrt, m.floor, m.ceil = _sym_sqrt, _sym_floor, _sym_ceil
    return m


SHIMS: dict[str, Any] = {
    "int": _sym_int, "float": _sym_float,
    "open": _refuse("I/O (open)"), "print": _refuse("I/O (print)"), "input": _refuse("I/O (input)"),
    "exec": _refuse("exec"), "eval": _refuse("eval"), "__import__": _refuse("an import"),
    "breakpoint": _refuse("breakpoint"),
}


# -- finding and checking the function ------------------------------------------------------

@dataclass(frozen=True)
class Target:
    function: Callable
    where: str  # FILE.py:FUNCTION as given
    filename: str  # the source file, for line numbers


def load(spec: str) -> Target:
    """``FILE.py:FUNCTION`` or ``package.module:FUNCTION`` (``FUNCTION`` may be dotted:
    ``Class.method``).  The file is read and parsed first (a file that is not Python is one
    line, nothing executed), then imported (its top level runs), then the name looked up."""
    import importlib
    import inspect

    path_text, sep, name = spec.rpartition(":")
    if not sep or not path_text or not name:
        raise ConfigError(f"{spec}: expected FILE.py:FUNCTION or package.module:FUNCTION")
    if not all(part.isidentifier() for part in name.split(".")):
        raise ConfigError(f"{spec}: {name!r} is not a Python name")
    path = Path(path_text)
    if path_text.endswith(".py") or path.exists():
        module = _import_file(path)
    else:
        if not all(p.isidentifier() for p in path_text.split(".")):
            raise ConfigError(f"{spec}: {path_text!r} is neither a file nor a module name")
        try:
            module = importlib.import_module(path_text)
        except ImportError as e:
            raise ConfigError(f"{spec}: cannot import {path_text}: {e}") from None
        except Exception as e:  # noqa: BLE001 - the user's top level
            raise ConfigError(f"{spec}: importing {path_text} raised {type(e).__name__}: {e}") from None
    obj: Any = module
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ConfigError(f"{spec}: no function {name!r} in {path_text}")
    if not inspect.isfunction(obj):
        raise ConfigError(f"{spec}: {name!r} is a {type(obj).__name__}, not a function")
    return Target(function=obj, where=spec, filename=obj.__code__.co_filename)


def _import_file(path: Path) -> types.ModuleType:
    import importlib.util

    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    try:
        source = path.read_bytes().decode("utf-8")
        ast.parse(source, filename=str(path))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not Python (not UTF-8 text)") from None
    except SyntaxError as e:
        raise ConfigError(f"{path}: not Python (line {e.lineno}: {e.msg})") from None
    name = f"flopdocs_audited_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path}: cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # noqa: BLE001 - the user's top level, one line
        raise ConfigError(f"{path}: importing it raised {type(e).__name__}: {e}") from None
    return module


def check_source(target: Target) -> None:
    """Refuse, before running, what cannot be symbolic whatever the values: an import in the
    function, a use of a module other than math (torch, numpy: tensors; os, sys: I/O)."""
    import inspect
    import textwrap

    try:
        lines, first = inspect.getsourcelines(target.function)
    except (OSError, TypeError):
        return  # no source (a compiled function): the run's own refusals still apply
    tree = ast.parse(textwrap.dedent("".join(lines)))
    g = target.function.__globals__
    local = _assigned(tree)
    for node in ast.walk(tree):
        line = first + getattr(node, "lineno", 1) - 1
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise ConfigError(f"{target.where}: line {line}: an import inside the function cannot run symbolically")
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            value = g.get(node.id)
            if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] not in ALLOWED_MODULES:
                what = "a tensor library" if value.__name__.split(".")[0] in (
                    "torch", "numpy", "jax", "tensorflow") else "I/O or another module"
                raise ConfigError(f"{target.where}: line {line}: module {value.__name__} ({what}) "
                                  "cannot run symbolically")


def _assigned(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and hasattr(node, "name"):
            names.add(node.name)
    return names


# -- running ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    value: sympy.Expr  # the formula's result, exact
    divisions: tuple[tuple[str, Any], ...]  # floors kept exact: (what, quotient)


def run(target: Target, values: Mapping[str, Any], ctx: Context) -> Run:
    """Call the function with ``values`` (name -> sympy expression, a plain value, or a
    dotted name for an argument object's attribute); parameters without a value take their
    default or become argument objects.  Every failure is one line naming the line."""
    import inspect

    fn = target.function
    sig = inspect.signature(fn)

    def wrap(v: Any) -> Any:
        if isinstance(v, sympy.Basic):
            return Value(v, ctx)
        if isinstance(v, dict):
            return {k: wrap(x) for k, x in v.items()}
        return v

    def lookup(path: str, attr: str) -> Any:
        """``args.hidden_size`` given as ``args.hidden_size`` or ``hidden_size``;
        ``self.config.n_layer`` as that, ``config.n_layer`` or ``n_layer``."""
        parts = path.split(".") + [attr]
        keys = [".".join(parts[i:]) for i in range(len(parts))]  # longest first
        for key in keys:
            if key in values:
                return wrap(values[key])
            if f"{key}()" in values:  # a method whose call the mapping gives: self.get_num_params()
                value = wrap(values[f"{key}()"])
                return lambda *a, **k: value
        if any(k.startswith(f"{key}.") for key in keys for k in values):
            return Namespace(f"{path}.{attr}", lookup)
        raise Unmapped(f"{path}.{attr}")

    kwargs = {}
    for name, p in sig.parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name in values:
            kwargs[name] = wrap(values[name])
        elif p.default is not p.empty:
            continue
        else:
            kwargs[name] = Namespace(name, lookup)
    g = dict(fn.__globals__)
    g.update(SHIMS)
    g["math"] = _math()
    for name, v in fn.__globals__.items():  # from math import sqrt, floor, ceil
        for real, shim in ((math.sqrt, _sym_sqrt), (math.floor, _sym_floor), (math.ceil, _sym_ceil)):
            if v is real:
                g[name] = shim
    shimmed = types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)
    shimmed.__kwdefaults__ = fn.__kwdefaults__
    try:
        out = shimmed(**kwargs)
    except Refused as e:
        raise ConfigError(f"{target.where}: line {_line(e, target)}: {e} cannot run symbolically") from None
    except Unmapped as e:
        raise ConfigError(f"{target.where}: line {_line(e, target)}: argument {e} is not mapped "
                          f"(give --arg {str(e).rpartition('.')[2]}=KEY)") from None
    except RecursionError:
        raise ConfigError(f"{target.where}: the function recursed too deeply") from None
    except Exception as e:  # noqa: BLE001 - the user's code, one line
        raise ConfigError(f"{target.where}: line {_line(e, target)}: {type(e).__name__}: {e}") from None
    if isinstance(out, tuple) and out:
        out = out[0]  # MaxText returns (total, weights, attention): the first is the total
    if isinstance(out, Namespace):
        raise ConfigError(f"{target.where}: returned an argument object, not a number")
    try:
        expr = exact(out)
    except Refused:
        raise ConfigError(f"{target.where}: returned a {type(out).__name__}, not a number") from None
    return Run(value=expr, divisions=tuple(ctx.divisions))


def _line(e: BaseException, target: Target) -> int | str:
    """The last line of the user's file in the exception's traceback."""
    line: int | str = "?"
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == target.filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def concrete_decide(e: sympy.Expr) -> int | None:
    """The sign of a number (a concrete run: every value known)."""
    if not e.is_number:
        return None
    return (e > 0) - (e < 0)

