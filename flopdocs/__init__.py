"""flopdocs: how much compute a transformer costs, and why.

The cost model is a tree of named operations whose costs are sympy expressions in
the model's dimensions (:mod:`flopdocs.tree`); layers build it
(:mod:`flopdocs.layers`), conventions choose how to count (:mod:`flopdocs.conventions`),
and :func:`flopdocs.analysis.analyse` evaluates it exactly for a config.

From Python and Jupyter, :func:`model` (also called :func:`analyse`) is the front door
(:mod:`flopdocs.api`): ``flopdocs.model("llama-2-7b", l=8192).total``.
"""
#: The release: the one place it is declared (pyproject.toml reads it; so do ``flopdocs
#: --version``, the versioned site's path ``/0.2/`` and the Cite box's BibTeX).
__version__ = "0.2.0"

from importlib import import_module

#: What ``flopdocs.NAME`` is: (module, name in it).  Imported on first use (PEP 562), so
#: ``flopdocs report`` does not pay for the notebook API it never touches.
_EXPORTS = {
    "Analysis": ("analysis", "Analysis"), "Comparison": ("api", "Comparison"),
    "Config": ("config", "Config"), "ConfigError": ("errors", "ConfigError"),
    "InputTypeError": ("errors", "InputTypeError"), "LayerCost": ("api", "LayerCost"),
    "MODES": ("modes", "MODES"), "Node": ("tree", "Node"), "Options": ("modes", "Options"),
    "Result": ("api", "Result"), "compare": ("api", "compare"), "layer": ("api", "layer"),
    "model": ("api", "model"),
    "analyse": ("api", "model"),  # the same front door, by the name the library used
    "symbols": ("symbols", None),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'flopdocs' has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = import_module(f".{module}", __name__)
    value = value if attribute is None else getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
