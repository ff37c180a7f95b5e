"""Counting conventions: one module per convention, each building the symbolic tree.

A convention is how FLOPs are counted (what is counted, and how often); the layers
are shared.  ``seed`` reproduces the origin notebook exactly, mistakes included.
"""
from __future__ import annotations

from types import ModuleType

from ..config import ConfigError
from . import corrected, seed

CONVENTIONS: dict[str, ModuleType] = {"seed": seed, "corrected": corrected}
DEFAULT = "seed"


def get(name: str) -> ModuleType:
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise ConfigError(
            f"--convention: unknown convention {name!r} (known: {', '.join(sorted(CONVENTIONS))})"
        ) from None
