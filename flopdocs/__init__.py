"""flopdocs: how much compute a transformer costs, and why.

The cost model is a tree of named operations whose costs are sympy expressions in
the model's dimensions (:mod:`flopdocs.tree`); layers build it
(:mod:`flopdocs.layers`), conventions choose how to count (:mod:`flopdocs.conventions`),
and :func:`flopdocs.analysis.analyse` evaluates it exactly for a config.
"""
from .analysis import Analysis, analyse
from .config import Config, ConfigError
from .tree import Node

__all__ = ["Analysis", "Config", "ConfigError", "Node", "analyse"]
__version__ = "0.1.0"
