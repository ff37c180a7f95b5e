"""flopdocs: how much compute a transformer costs, and why.

The cost model is a tree of named operations whose costs are sympy expressions in
the model's dimensions (:mod:`flopdocs.structure.tree`); layers build it
(:mod:`flopdocs.structure.layers`), conventions choose how to count (:mod:`flopdocs.conventions`),
and :func:`flopdocs.counting.analysis.analyse` evaluates it exactly for a config.

From Python and Jupyter, :func:`model` (also called :func:`analyse`) is the front door
(:mod:`flopdocs.api.front`): ``flopdocs.model("llama-2-7b", l=8192).total``.
"""
#: The release: the one place it is declared (pyproject.toml reads it; so do ``flopdocs
#: --version``, the versioned site's path ``/0.2/`` and the Cite box's BibTeX).
__version__ = "0.2.0"

from importlib import import_module

#: What ``flopdocs.NAME`` is: (module, name in it).  Imported on first use (PEP 562), so
#: ``flopdocs report`` does not pay for the notebook API it never touches.
_EXPORTS = {
    "Analysis": ("counting.analysis", "Analysis"), "Comparison": ("api.front", "Comparison"),
    "Config": ("config.config", "Config"), "ConfigError": ("errors", "ConfigError"),
    "InputTypeError": ("errors", "InputTypeError"), "LayerCost": ("api.front", "LayerCost"),
    "MODES": ("counting.modes", "MODES"), "Node": ("structure.tree", "Node"),
    "Options": ("counting.modes", "Options"), "Result": ("api.front", "Result"),
    "compare": ("api.front", "compare"), "layer": ("api.front", "layer"),
    "model": ("api.front", "model"),
    "analyse": ("api.front", "model"),  # the same front door, by the name the library used
    "symbols": ("config.symbols", None),
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


#: Where the modules of 0.2.0 and earlier live now (the package is laid out by pipeline stage
#: since 0.3): ``import flopdocs.tree`` still works, as the module at its new address, and so
#: does running another release's ``numbers.collect`` against this tree (``flopdocs diff``).
#: Old names that are packages now (``config``, ``counting``, ``api``, ``cli``) re-export
#: their old module's public names.
MOVED = {
    "memo": "base.memo", "readers": "base.readers", "writing": "base.writing",
    "resources": "base.resources", "symbols": "config.symbols", "checks": "config.checks",
    "keys": "config.keys", "arch": "config.arch", "hf": "config.hf", "inputs": "config.inputs",
    "catalogue": "config.catalogue", "tree": "structure.tree", "ops": "structure.ops",
    "roles": "structure.roles", "grouping": "structure.grouping", "params": "structure.params",
    "layers": "structure.layers", "closed_forms": "conventions.closed_forms",
    "polynomials": "compile.polynomials", "codegen": "compile.codegen",
    "codegen_js": "compile.codegen_js", "compiled": "compile.compiled", "modes": "counting.modes",
    "analysis": "counting.analysis", "mfu": "counting.mfu", "accelerators": "counting.accelerators",
    "grid": "counting.grid", "sweep": "counting.sweep", "numbers": "counting.published",
    "verify": "counting.verify", "result": "api.result", "display": "api.display",
    "report": "api.report", "release": "site.diff", "cli_release": "cli.release",
    "table": "cli.table",
}


class _Moved:
    """A finder that answers ``flopdocs.OLD`` (and its submodules) with the module at its new
    address, so both names are one module object."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        head, _, rest = fullname.partition(".")[2].partition(".")
        if not fullname.startswith(__name__ + ".") or head not in MOVED:
            return None
        from importlib.util import spec_from_loader
        return spec_from_loader(fullname, _Moved, origin=f"{__name__}.{MOVED[head]}")

    @staticmethod
    def create_module(spec):
        return import_module(spec.origin + spec.name[len(__name__) + 1:].partition(".")[1]
                             + spec.name[len(__name__) + 1:].partition(".")[2])

    @staticmethod
    def exec_module(module):
        pass


import sys as _sys  # noqa: E402

_sys.meta_path.append(_Moved)
