"""Counting conventions: one module per convention, each its rules written once, cited.

Two sorts.  A *tree* convention (``flopdocs``, ``seed``) is a table of counting rules over
one and the same structure (:func:`flopdocs.structure.build.structure`): ``RULES = {(layer, leaf): rule}``;
adding one is adding a module, touching no layer.  A *formula* convention (``kaplan``,
``chinchilla``, ``palm``, ``megatron``, ``6N``) is the closed form a paper prints, as
named terms (:mod:`.formula`).  Every module gives ``NAME``, ``TITLE``, ``CITATION``,
``SUMMARY`` and ``MODES`` (the modes it defines; any other is refused in one line).
"""
from __future__ import annotations

from types import ModuleType

from flopdocs.errors import ConfigError
from flopdocs.structure.tree import Node
from flopdocs.conventions import chinchilla, flopdocs, kaplan, megatron, palm, seed, six_n
from flopdocs.conventions.rules import apply

#: Every convention, in the order pages and tables show them (the default first).
CONVENTIONS: dict[str, ModuleType] = {
    m.NAME: m for m in (flopdocs, seed, kaplan, chinchilla, palm, megatron, six_n)}
#: Old names still accepted.
ALIASES = {"corrected": "flopdocs"}
DEFAULT = "flopdocs"


def get(name: str) -> ModuleType:
    try:
        return CONVENTIONS[ALIASES.get(name, name)]
    except KeyError:
        raise ConfigError(f"unknown convention {name!r} (known: {', '.join(CONVENTIONS)})",
                          origin="--convention") from None


def is_tree(conv: ModuleType) -> bool:
    """Whether a convention counts the tree (else it is a closed form)."""
    return hasattr(conv, "RULES")


def applied(tree: Node, name: str = "seed") -> Node:
    """Any tree (a layer's example, say) with the tree convention ``name``'s rules applied."""
    return apply(tree, get(name).RULES)
