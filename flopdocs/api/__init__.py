"""Stage 6, the Python API and output formats: the front door (:mod:`.front`), its result
(:mod:`.result`), rich display (:mod:`.display`) and the report formatters (:mod:`.report`).

The old ``flopdocs.api`` module's names stay importable from here.
"""

from flopdocs.base.lazy import attributes

#: The old ``flopdocs.api`` module's public names, imported on first use.
__getattr__ = attributes(__name__, {
    "Comparison": "front",
    "LayerCost": "front",
    "compare": "front",
    "layer": "front",
    "model": "front",
    "Result": "result",
})
