"""Names a package re-exports from its modules, imported on first use (PEP 562).

A stage package that keeps an old module's names importable (``flopdocs.config.Config``)
does not import the module until one is asked for, so importing one module of a stage
imports no other.  Nothing here knows which names a package has.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def attributes(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__``: ``names`` maps an attribute to the module (relative to
    ``package``) that defines it under the same name."""
    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{names[name]}"), name)
    return __getattr__
