"""The notebook API: one front door, :func:`model`, and the seed notebook's verbs on its result.

>>> import flopdocs
>>> r = flopdocs.model("seed-512", convention="seed")          # the seed's In [44] config
>>> r.total                                 # count_flops(...)
51248964096
>>> r.breakdown["ProjectToVocab"]           # count_dict(...), the seed's flops_dict
15728640000
>>> round(r.shares["ProjectToVocab"], 6)    # percent_flops(...)
0.306906

Anything :func:`model` is given that is not a model is one line, the CLI's message:

>>> flopdocs.model("no-such-model")
Traceback (most recent call last):
...
flopdocs.errors.ConfigError: no-such-model: unknown model (not a file, and not a catalogue name; see 'flopdocs list')
>>> flopdocs.model(42)
Traceback (most recent call last):
...
flopdocs.errors.InputTypeError: model: expected a catalogue name, a path to a YAML file or config.json, a dict or a Config, got 42

Every value is computed by :mod:`flopdocs.counting.analysis` (the tree, evaluated exactly) and
shown by :mod:`flopdocs.api.report` and :mod:`flopdocs.api.display`; this module only connects
them to names a notebook user types.
"""
from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from flopdocs import conventions
from flopdocs.api import display
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import Config
from flopdocs.errors import ConfigError, InputTypeError, shown
from flopdocs.config.inputs import check_str, config_of, override
from flopdocs.counting.modes import MODES, Options
from flopdocs.structure.layers import LAYERS, all_layers
from flopdocs.api.result import Result, dimension
from flopdocs.structure.tree import Node, as_expr, collect as _collect, leading_term, to_dict

__all__ = ["Comparison", "LayerCost", "MODES", "Options", "Result", "compare", "layer", "model"]

def _mode(mode: Any) -> str:
    check_str(mode, "mode")
    return mode  # analyse checks it against flopdocs.counting.modes.MODES, with the CLI's message


def _convention(name: Any) -> str:
    """A known convention's name (``conventions.get`` says which are), else one line."""
    check_str(name, "convention")
    conventions.get(name)
    return name


def model(source: Any, /, *, convention: str | None = None, mode: str = "forward",
          options: Options | None = None, **overrides: Any) -> "Result":
    """One model under one convention, evaluated exactly: the notebook's front door.

    ``source`` is a catalogue name (``"llama-2-7b"``, as ``flopdocs list`` shows), a path
    to a YAML config or a Hugging Face ``config.json`` (``str`` or ``pathlib.Path``), a
    ``dict`` holding a YAML config's keys, a :class:`~flopdocs.config.config.Config`, or a
    :class:`Result` (its config; its convention unless ``convention`` is given).
    ``overrides`` are config keys with YAML-typed values, as ``--set`` gives them
    (``l=8192``, ``ffn="swiglu"``, ``tie_embeddings=True``) and checked as a config is.
    ``convention`` is one of :data:`flopdocs.conventions.CONVENTIONS` (default
    ``flopdocs``); ``mode`` one of :data:`flopdocs.counting.modes.MODES` (default ``forward``), with
    its numbers and the counting flags in ``options`` (:class:`flopdocs.counting.modes.Options`:
    ``prompt``, ``context``, ``generate``, ``scores``, ``macs``, ``recompute``, ``exclude``).  Bad input
    of any kind is a one-line
    :class:`~flopdocs.errors.ConfigError` (an :class:`~flopdocs.errors.InputTypeError`,
    also a ``TypeError``, for an argument of the wrong type).

    >>> r = model("llama-2-7b", convention="seed")
    >>> r.total
    63017270915072
    >>> model("llama-2-7b", convention="corrected").total - r.total  # '/ sum': l²·n_heads·n_layers
    17179869184
    >>> model("seed-512", convention="seed", l=1024).config["l"]
    1024
    >>> model({"name": "tiny", "l": 8, "d_model": 8, "d_ff": 32, "n_vocab": 100,
    ...        "n_layers": 1, "n_heads": 2}, convention="seed").total
    29328
    >>> model("seed-512", l=0)
    Traceback (most recent call last):
    ...
    flopdocs.errors.ConfigError: .../seed-512.yaml with overrides: l: must be at least 1, got 0
    >>> model("seed-512", convention="nope")
    Traceback (most recent call last):
    ...
    flopdocs.errors.ConfigError: --convention: unknown convention 'nope' (known: ...)
    >>> model("seed-512", mode="training").per_token  # forward + backward, per token
    300197007
    >>> model("seed-512", mode="backward")
    Traceback (most recent call last):
    ...
    flopdocs.errors.ConfigError: --mode: must be one of forward, training, training-recompute, prefill, decode, generate, got 'backward'
    """
    if isinstance(source, Result):
        cfg, convention = source.config, source.convention if convention is None else convention
    else:
        cfg = config_of(source)
    convention = _convention(conventions.DEFAULT if convention is None else convention)
    mode = _mode(mode)
    cfg = override(cfg, overrides, "overrides")
    if options is not None and not isinstance(options, Options):
        raise InputTypeError(f"options: expected a flopdocs.counting.modes.Options, got {shown(options)}")
    a = analyse(cfg, convention, mode, options)
    return Result(analysis=a, tree=a.tree, mode=mode)


# -- several models ---------------------------------------------------------------------

#: The columns of :func:`compare`'s rows.
COLUMNS = ("model", "convention", "mode", "total", "per_token", "params", "params_active")


class Comparison(tuple):
    """The rows of :func:`compare`: a tuple of dicts with :data:`COLUMNS` as keys, shown as
    a table (``print``, Jupyter) or a ``DataFrame`` (``to_frame()``, needs pandas)."""

    def _cells(self) -> list[list[Any]]:
        return [[row[c] for c in COLUMNS] for row in self]

    def __str__(self) -> str:
        return display.text_table(COLUMNS, self._cells(), numeric=(3, 4, 5, 6)).rstrip("\n")

    def __repr__(self) -> str:
        return f"Comparison({list(self)!r})"

    def _repr_html_(self) -> str:
        return display.html_table(COLUMNS, self._cells(), numeric=(3, 4, 5, 6))

    def _repr_markdown_(self) -> str:
        return display.markdown_table(COLUMNS, self._cells(), numeric=(3, 4, 5, 6))

    def to_frame(self):
        return display.pandas().DataFrame(list(self), columns=list(COLUMNS))


def compare(models: Iterable[Any], *, conventions: Iterable[str] | None = None,
            mode: str = "forward", **overrides: Any) -> Comparison:
    """One row per model and convention: name, convention, mode, total, per token,
    parameters (total and active per token), in the order given.

    ``models`` holds anything :func:`model` takes (a :class:`Result` keeps its own
    convention unless ``conventions`` is given); ``conventions`` defaults to ``seed``;
    ``overrides`` apply to every model.

    >>> rows = compare(["seed-512", "seed-1024"], conventions=["seed", "corrected"])
    >>> [(r["model"], r["convention"], r["total"]) for r in rows]
    [('Seed 512', 'seed', 51248964096), ('Seed 512', 'flopdocs', 51279076352), ('Seed 1024', 'seed', 1872788667392), ('Seed 1024', 'flopdocs', 1874753826816)]
    >>> print(compare(["seed-512"]))
    model     convention  mode              total    per_token      params  params_active
    --------  ----------  -------  --------------  -----------  ----------  -------------
    Seed 512  flopdocs    forward  51,279,076,352  100,154,446  62,480,384     62,480,384
    """
    if isinstance(models, (str, Mapping, Config, Result)) or not isinstance(models, Iterable):
        raise InputTypeError(f"compare: expected a list of models, got {shown(models)}")
    names_ = None if conventions is None else [_convention(c) for c in _listed(conventions, "conventions")]
    rows = []
    for m in models:
        for conv in (names_ or [None]):
            r = model(m, convention=conv, mode=mode, **overrides)
            rows.append({"model": r.name, "convention": r.convention, "mode": r.mode, "total": r.total,
                         "per_token": r.per_token, "params": r.params.total,
                         "params_active": r.params.active})
    return Comparison(rows)


def _listed(items: Any, what: str) -> list:
    if isinstance(items, (str, Mapping)) or not isinstance(items, Iterable):
        raise InputTypeError(f"{what}: expected a list, got {shown(items)}")
    return list(items)


# -- one layer, symbolically (the seed's In [6] - In [16]) ------------------------------


@dataclass(frozen=True, eq=False)
class LayerCost:
    """One layer's symbolic cost tree under a convention: ``total`` is the seed's
    ``flops_count``, ``breakdown`` its ``flops_dict``; in Jupyter the total shows as LaTeX."""

    tree: Node

    @property
    def total(self) -> sympy.Expr:
        return self.tree.total

    @property
    def breakdown(self) -> dict[str, Any]:
        return to_dict(self.tree)

    def collect(self, symbol: Any) -> sympy.Expr:
        return _collect(self.total, dimension(symbol, "collect"))

    def leading(self, symbol: Any) -> sympy.Expr:
        return leading_term(self.total, dimension(symbol, "leading"))

    def __repr__(self) -> str:
        return f"<flopdocs LayerCost: {self.tree.name}: {self.total}>"

    def __str__(self) -> str:
        return str(self.total)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sympy.latex(self.total)}$"


def layer(name: str, *dims: Any, convention: str | None = None, **options: Any) -> LayerCost:
    """One layer built on the given dimensions and counted by ``convention`` (default
    ``seed``): the seed's ``Layer(...).flops_count`` and ``.flops_dict``.

    ``name`` is a layer's class name (``flopdocs.structure.layers.LAYERS``: ``"MultiHeadAttention"``,
    ...); ``dims`` are sympy expressions (the symbols of :mod:`flopdocs.config.symbols`) or ints,
    in the order of the seed's constructor; ``options`` the layer's keyword options.

    >>> from flopdocs.config.symbols import l, d_model, n_heads
    >>> layer("MultiHeadAttention", l, l, d_model, d_model, d_model, n_heads, convention="seed").total   # In [10]
    8*d_{model}**2*l*n_{heads} + 4*d_{model}*l**2*n_{heads} + 5*l**2*n_{heads}
    >>> layer("Embeddings", 512, 512, 30000).total
    262144
    >>> layer("Attention", l)
    Traceback (most recent call last):
    ...
    flopdocs.errors.ConfigError: layer: 'Attention' is not a layer (known: Block, ...)
    """
    check_str(name, "layer")
    all_layers()
    if name not in LAYERS:
        raise ConfigError(f"{name!r} is not a layer (known: {', '.join(sorted(LAYERS))})", origin="layer")
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, sympy.Basic)):  # never text: not parsed
            raise InputTypeError(f"layer: {name}: a dimension must be an int or a sympy expression "
                                 f"(e.g. flopdocs.config.symbols.l), got {shown(d)}")
        if isinstance(d, int) and d < 1 or (isinstance(d, sympy.Basic) and d.is_number
                                            and not (d.is_integer and d.is_positive)):
            raise ConfigError(f"{name}: a dimension must be a whole number of at least 1, "
                              f"got {shown(d if isinstance(d, int) else str(d))}", origin="layer")
    build = LAYERS[name].build
    try:
        inspect.signature(build).bind(*dims, **options)
    except TypeError as e:
        takes = ", ".join(p.name for p in inspect.signature(build).parameters.values()
                          if p.kind is p.POSITIONAL_OR_KEYWORD)
        raise InputTypeError(f"layer: {name} takes ({takes}): {e}") from None
    conv = _convention(conventions.DEFAULT if convention is None else convention)
    tree = conventions.applied(build(*(as_expr(d) for d in dims), **options), conv)
    return LayerCost(tree)
