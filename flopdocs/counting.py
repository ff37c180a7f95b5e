"""What a table counts, and the reference every row equals.

:class:`Counting` is a way of counting (a convention); :func:`summary` compiles, once per
structure and counting, the counts a row shows; :func:`reference_row` is the same row by
the reference path (:class:`~flopdocs.analysis.Analysis`), what every row equals.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import sympy

from . import conventions
from .errors import ConfigError
from . import params as _params
from . import symbols as S
from .analysis import Analysis, analyse
from .arch import Arch
from .codegen import Program, compile_exprs
from .compiled import tree_exprs
from .config import Config
from .keys import BY_NAME, DIMENSION_KEYS, KEYS, KNOB_ORDER, key_of
from .roles import ROLES
from .tree import Node, leaves

#: Every dimension and architecture key, in the key table's order.
KEY_COLUMNS = (*DIMENSION_KEYS, *KNOB_ORDER)
COUNT_COLUMNS = ("params_total", "params_non_embedding", "params_active", "total", "per_token",
                 *(f"share_{r}" for r in ROLES))


@dataclass(frozen=True)
class Counting:
    """How a table counts: a convention.  The table asks only for :attr:`labels` (its
    columns), :meth:`tree` (the symbolic tree of a structure) and :meth:`analyse` (the
    reference); another way of counting (a mode) is another class with these three."""

    convention: str = conventions.DEFAULT

    def __post_init__(self) -> None:
        conv = conventions.get(self.convention)  # an unknown one is a one-line ConfigError
        if not conventions.is_tree(conv):
            raise ConfigError(f"flopdocs table counts the tree conventions (flopdocs, seed); "
                              f"{conv.NAME} is a closed form (use flopdocs report)", origin="--convention")

    @property
    def labels(self) -> dict[str, str]:
        return {"convention": self.convention}

    def tree(self, arch: Arch) -> Node:
        return conventions.get(self.convention).build(SimpleNamespace(arch=arch))

    def analyse(self, config: Config) -> Analysis:
        return analyse(config, self.convention)


@dataclass(frozen=True)
class Summary:
    """One structure's counts, compiled: ``program.function(*args)`` returns each role's
    FLOPs for one sequence (in ROLES order: they sum to the total), the parameters (total,
    non-embedding, active) and the tokens per sequence, or None when the reference must
    answer (a value it checks is not whole)."""

    program: Program
    keys: tuple[str, ...]  # the config key of each argument

    @property
    def function(self) -> Callable[..., tuple[int, ...] | None]:
        return self.program.function


def tokens(arch: Arch) -> Any:
    """Tokens one sequence's forward pass processes (as ``Config.tokens``), symbolically."""
    return S.l_src + S.l_tgt if arch.encoder_decoder else S.l


@lru_cache(maxsize=None)
def summary(counting: Counting, arch: Arch) -> Summary:
    """The compiled counts of a structure, once per structure and counting."""
    tree = counting.tree(arch)
    by_role: dict[str, list] = {r: [] for r in ROLES}
    for _, leaf in leaves(tree):
        by_role[leaf.role].append(leaf.value)
    return _compile(tree, arch, [sympy.Add(*v) if v else 0 for v in by_role.values()])


@lru_cache(maxsize=None)
def every_leaf(counting: Counting, arch: Arch) -> Summary:
    """As :func:`summary`, but the FLOPs are every leaf's, in the tree's pre-order (the
    site's calculator shows the whole breakdown): ``len(leaves)`` values, then the
    parameters (total, non-embedding, active) and the tokens per sequence."""
    tree = counting.tree(arch)
    return _compile(tree, arch, [leaf.value for _, leaf in leaves(tree)])


def _compile(tree: Node, arch: Arch, flops: list) -> Summary:
    p = _params.symbolic(arch)
    outputs = [*flops, p.total, p.non_embedding, p.active, tokens(arch)]
    checks = tree_exprs(tree) + (tree_exprs(p.tree) if p.tree is not None else [])
    program = compile_exprs(outputs, checks, order=[k.symbol for k in KEYS if k.symbol is not None])
    return Summary(program=program, keys=tuple(key_of(s) for s in program.symbols))


def columns(counting: Counting) -> tuple[str, ...]:
    return ("name", *counting.labels, *KEY_COLUMNS, *COUNT_COLUMNS)


def reference_row(config: Config, counting: Counting) -> dict[str, Any]:
    """A row by the reference path (:class:`~flopdocs.analysis.Analysis`): what every
    row equals.  Raises the reference's error for a config it cannot evaluate."""
    a = counting.analyse(config)
    total = a.total
    return {"name": config.name, **counting.labels, **_key_values(config),
            "params_total": a.params.total, "params_non_embedding": a.params.non_embedding,
            "params_active": a.params.active, "total": total, "per_token": a.per_token,
            **{f"share_{r}": v / total for r, v in a.by_role.items()}}


def _key_values(config: Config) -> dict[str, Any]:
    """Every key column's value: the config's, defaults filled in; None where it does not apply."""
    architecture = config.get("architecture")
    return {k: config.get(k) if BY_NAME[k].only in (None, architecture) else None for k in KEY_COLUMNS}
