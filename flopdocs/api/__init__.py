"""Stage 6, the Python API and output formats: the front door (:mod:`.front`), its result
(:mod:`.result`), rich display (:mod:`.display`) and the report formatters (:mod:`.report`).

The old ``flopdocs.api`` module's names stay importable from here.
"""
from flopdocs.api.front import Comparison, LayerCost, compare, layer, model  # noqa: F401
from flopdocs.api.result import Result  # noqa: F401
