"""Counting conventions: one module per convention, each a table of counting rules.

A convention is how FLOPs are counted (what is counted, and how often) over one and
the same structure (:func:`rules.structure`); adding one is adding a module with
``NAME``, ``SUMMARY``, ``RULES`` and ``build``, and touching no layer.  ``seed``
reproduces the origin notebook exactly, mistakes included.
"""
from __future__ import annotations

from types import ModuleType

from ..errors import ConfigError
from ..tree import Node
from . import corrected, seed
from .rules import apply

CONVENTIONS: dict[str, ModuleType] = {"seed": seed, "corrected": corrected}
DEFAULT = "seed"


def get(name: str) -> ModuleType:
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise ConfigError(
            f"--convention: unknown convention {name!r} (known: {', '.join(sorted(CONVENTIONS))})"
        ) from None


def count(tree: Node, name: str = DEFAULT) -> Node:
    """Any tree (a layer's example, say) counted by convention ``name``."""
    return apply(tree, get(name).RULES)
