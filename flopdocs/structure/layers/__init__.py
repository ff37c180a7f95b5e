"""One module per layer family; each a pure function from dimensions to a cost tree.

Every layer registers itself here under the seed's class name, with what its
derivation page needs: a symbolic example instance, the computation written with
shapes, and the notes.  The site renders one page per registered layer.

A layer builds the structure and its true counts, each leaf saying its kind, role and
weights; it knows no convention and no config (a convention recounts the leaves it
concerns: :mod:`flopdocs.conventions`).
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from flopdocs.structure.tree import Node, anchor


@dataclass(frozen=True)
class Layer:
    name: str  # the seed's class name, e.g. "MultiHeadAttention"
    build: Callable[..., Node]
    example: Callable[[], Node]  # the symbolic instance shown on the layer's page
    summary: str
    computation: tuple[str, ...] = ()  # LaTeX, one line per step, with shapes
    notes: tuple[str, ...] = ()
    example_args: Callable[[], tuple] = tuple  # the arguments ``example`` builds with

    @property
    def slug(self) -> str:
        return anchor(self.name)


LAYERS: dict[str, Layer] = {}


def layer(name: str, *, example: Callable[[], tuple], summary: str,
          computation: tuple[str, ...] = (), notes: tuple[str, ...] = ()):
    """Register ``build(*dims) -> children`` as the layer ``name``.

    The decorated function returns the layer's child nodes; the wrapper makes them a
    subtree named ``name`` and tagged with it, so the site can link to its page.
    ``example`` returns the arguments of the instance its derivation page shows.
    """

    def wrap(fn: Callable[..., list[Node]]) -> Callable[..., Node]:
        @functools.wraps(fn)
        def build(*args, **kwargs) -> Node:
            return Node(name=name, children=tuple(fn(*args, **kwargs)), layer=name)

        LAYERS[name] = Layer(name, build, lambda: build(*example()), summary,
                             tuple(computation), tuple(notes), example)
        return build

    return wrap


def all_layers() -> list[Layer]:
    """Every registered layer, sorted by name.

    Every module of this package is imported (in sorted order) so that its layers
    register themselves: a new layer module needs no edit anywhere else to get its
    derivation page.
    """
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")
    return [LAYERS[k] for k in sorted(LAYERS)]
