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

from . import symbols
from .analysis import Analysis
from .api import Comparison, LayerCost, Result, compare, layer, model
from .config import Config, ConfigError
from .errors import InputTypeError
from .modes import MODES, Options
from .tree import Node

analyse = model  # the same front door, by the name the library used

__all__ = ["Analysis", "Comparison", "Config", "ConfigError", "InputTypeError", "LayerCost", "MODES",
           "Node", "Options", "Result", "analyse", "compare", "layer", "model", "symbols"]
