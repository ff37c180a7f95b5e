"""Stage 6, the Python API and output formats: the front door (:mod:`.front`), its result
(:mod:`.result`), rich display (:mod:`.display`) and the report formatters (:mod:`.report`).

The old ``flopdocs.api`` module's names stay importable from here.
"""

#: The old ``flopdocs.api`` module's public names, imported on first use (PEP 562), so
#: importing one module of this stage does not import the others.
_OLD_NAMES = {
    "Comparison": "front",
    "LayerCost": "front",
    "compare": "front",
    "layer": "front",
    "model": "front",
    "Result": "result",
}


def __getattr__(name: str):
    if name not in _OLD_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    return getattr(import_module(f"{__name__}.{_OLD_NAMES[name]}"), name)
