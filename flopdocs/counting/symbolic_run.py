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
counts: the caller maps names to expressions (:mod:`flopdocs.counting.audit`).  The values
and the builtins that follow them: :mod:`.symbolic_value`; finding the function:
:mod:`.formula_source`.
"""
from __future__ import annotations

import math
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from flopdocs.counting.formula_source import Target
from flopdocs.counting.symbolic_value import (SHIMS, Context, Refused, Value, exact, math_module, sym_ceil,
                                              sym_floor, sym_sqrt)
from flopdocs.errors import ConfigError


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
    g["math"] = math_module()
    for name, v in fn.__globals__.items():  # from math import sqrt, floor, ceil
        for real, shim in ((math.sqrt, sym_sqrt), (math.floor, sym_floor), (math.ceil, sym_ceil)):
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
