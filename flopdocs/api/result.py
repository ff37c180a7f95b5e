"""The result of :func:`flopdocs.model`: one model under one convention, with the seed
notebook's verbs (``total``, ``breakdown``, ``shares``, ``group``, ``collect``, ...) and its
rich display in Jupyter.

Every number is :class:`~flopdocs.counting.analysis.Analysis`'s (the tree evaluated exactly); every
rendering :mod:`flopdocs.api.report`'s or :mod:`flopdocs.api.display`'s.

>>> from flopdocs import model
>>> model("seed-512", convention="seed").group("norm").breakdown["LayerNorm_Final"]   # 6·l·d + 7·d
1576448
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sympy

from flopdocs.api import display
from flopdocs.structure import params as _params
from flopdocs.counting.analysis import Analysis
from flopdocs.config.config import Config
from flopdocs.errors import ConfigError, InputTypeError, shown
from flopdocs.structure.grouping import (family_subtrees, group as _group_names, group_paths,
                                     role_subtrees)
from flopdocs.config.inputs import check_str
from flopdocs.config.keys import BY_NAME, KEYS
from flopdocs.api.report import as_json, render
from flopdocs.structure.roles import FAMILIES, ROLES
from flopdocs.structure.tree import Node, collect as _collect, leading_term, names, to_dict

__all__ = ["Result", "dimension"]


def dimension(symbol: Any, what: str) -> sympy.Symbol:
    """A dimension's symbol: a sympy ``Symbol`` (``flopdocs.config.symbols.l``) or a config key's
    name (``"l"``, ``"d_model"``); names are looked up, never parsed."""
    if isinstance(symbol, sympy.Symbol):
        return symbol
    check_str(symbol, what)
    key = BY_NAME.get(symbol)
    if key is None or key.symbol is None:
        known = ", ".join(k.name for k in KEYS if k.symbol is not None)
        raise ConfigError(f"{symbol!r} is not a dimension (known: {known})", origin=what)
    return key.symbol


def _group_keys(items: tuple[Any, ...]) -> list[str]:
    """``group("a", "b")`` or ``group({"a", "b"})`` (the seed passes a set): the names."""
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Iterable) and not isinstance(item, Mapping):
            out.extend(check_str(k, "group") for k in item)
        else:
            raise InputTypeError(f"group: expected node names, roles or families (str), got {shown(item)}")
    return out


@dataclass(frozen=True, eq=False)
class Result:
    """One model evaluated under one convention, and the tree it shows (the full breakdown,
    or a grouping of it).  Made by :func:`model`; every number is an exact ``int``.

    >>> from flopdocs import model
    >>> r = model("seed-512", convention="seed")
    >>> r
    <flopdocs Result: Seed 512, convention seed, forward, 51,248,964,096 FLOPs>
    >>> r.per_token, r.params.total
    (100095633, 62480384)
    >>> r.by_kind["matmul"], sum(r.by_role.values()) == r.total
    (51162120192, True)
    >>> print(str(r).splitlines()[0])
    Seed 512 · convention seed · 51.2 GFLOP forward · 62.5M parameters
    """

    analysis: Analysis
    tree: Node  # evaluated, all N sequences; grouped by group()
    mode: str = "forward"
    memory = property(lambda self: self.analysis.memory, doc="Bytes by term (counting.memory.Memory).")

    # -- what the model is ------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self.analysis.config

    @property
    def convention(self) -> str:
        return self.analysis.convention

    @property
    def name(self) -> str:
        return self.analysis.config.name

    # -- the seed's numbers -----------------------------------------------------------

    @property
    def total(self) -> int:
        """FLOPs of all N sequences (the seed's ``count_flops``).

        >>> from flopdocs import model
        >>> model("seed-512", convention="seed").total, model("seed-512", convention="seed", N=2).total
        (51248964096, 102497928192)
        """
        return self.analysis.total

    @property
    def per_token(self) -> int:
        """FLOPs per token of one sequence, rounded down (:attr:`Analysis.per_token`).

        >>> from flopdocs import model
        >>> model("seed-512", convention="seed").per_token                # 51,248,964,096 // 512
        100095633
        """
        return self.analysis.per_token

    @property
    def breakdown(self) -> dict[str, Any]:
        """The shown tree as nested dicts of ints, in the seed's ``flops_dict`` shape.

        >>> from flopdocs import model
        >>> model("seed-512", convention="seed").breakdown["Embeddings"]  # l · d_model
        {'X_word + X_pos': 262144}
        """
        return to_dict(self.tree)

    @property
    def shares(self) -> dict[str, Any]:
        """Every entry of :attr:`breakdown` as its share of :attr:`total`, floats (the
        seed's ``percent_flops``: fractions, not percentages).

        >>> from flopdocs import model
        >>> round(model("seed-512", convention="seed").shares["Embeddings"]["X_word + X_pos"], 12)
        5.115108e-06
        """
        return to_dict(self.analysis.fractions(self.tree))

    @property
    def params(self) -> _params.Params:
        """Exact parameter counts: ``.total``, ``.non_embedding``, ``.active``.

        >>> from flopdocs import model
        >>> model("llama-2-7b").params.as_dict()
        {'total': 6738415616, 'non_embedding': 6476271616, 'active': 6738415616}
        """
        return self.analysis.params

    @property
    def by_kind(self) -> dict[str, int]:
        """FLOPs by kind of arithmetic (``flopdocs.structure.roles.KINDS``); they sum to :attr:`total`.

        >>> from flopdocs import model
        >>> model("seed-512", convention="seed").by_kind["transcendental"]  # e^x, and the norms' sqrt(var + eps)
        12596224
        """
        return self.analysis.by_kind

    @property
    def by_role(self) -> dict[str, int]:
        """FLOPs by role in the model (``flopdocs.structure.roles.ROLES``); they sum to :attr:`total`.

        >>> from flopdocs import model
        >>> model("seed-512", convention="seed").by_role["attention-softmax"]  # 3 steps · l² · n_heads · n_layers
        37748736
        """
        return self.analysis.by_role

    @property
    def excluded(self) -> dict[str, int]:
        """FLOPs of each role left out (``Options(exclude=...)``, or the convention's own:
        Kaplan's Embed and De-embed rows), beside :attr:`total`."""
        return self.analysis.excluded

    # -- the seed's analysis(keys) ----------------------------------------------------

    def group(self, *keys: Any) -> "Result":
        """The breakdown with subtrees collapsed to their sums (the seed's ``analysis(keys)``).

        Each key is a node name (as ``--group`` takes it: every subtree of that name,
        wherever it is), a role of :data:`flopdocs.structure.roles.ROLES` or a family of
        :data:`flopdocs.structure.roles.FAMILIES`.  A role or family collapses every largest
        subtree (not the root, not a single leaf) whose leaves all have that role, or a
        role of that family (``"ffn"`` and ``"norm"`` are both: the family is meant, so
        ``"ffn"`` takes the router too).  Node names are tried first.  Keys may come as
        separate arguments or as one set or list.  With no keys: the grouped analysis
        (every largest subtree of one family), as the site's model pages show it.

        >>> from flopdocs import model
        >>> from flopdocs.counting.analysis import SEED_GROUPS   # the seed's In [74] keys
        >>> g = model("seed-512", convention="seed").group(SEED_GROUPS)
        >>> g.breakdown["Blocks"]["PositionWiseFFN"]     # 6 * (4*512*512*4096 + 4096 + 512)
        25769831424
        >>> attn = model("seed-512", convention="seed").group("attention")    # each head's attention, one sum
        >>> attn.breakdown["Blocks"]["MultiHeadAttention"]["ScaledDotProductAttention"]
        3284140032
        >>> list(model("seed-512", convention="seed").group("Blocks").breakdown)
        ['Embeddings', 'LayerNorm_Final', 'ProjectToVocab', 'Blocks']
        """
        keys_ = _group_keys(keys)
        tree = self.tree
        if not keys_:
            return self._with(group_paths(tree, family_subtrees(tree)))
        known = names(tree)
        node_names, roles = [], set()
        for k in keys_:
            if k in known and k != tree.name:
                node_names.append(k)
            elif k in FAMILIES:
                roles |= FAMILIES[k]
            elif k in ROLES:
                roles.add(k)
            else:
                examples = ", ".join(dict.fromkeys(p[-1] for p in family_subtrees(tree))) or "none"
                raise ConfigError(f"{k}: no such node, role or family (nodes e.g. {examples}; roles "
                                  f"{', '.join(ROLES)}; families {', '.join(FAMILIES)})", origin="group")
        if node_names:
            tree = _group_names(tree, node_names)
        if roles:
            tree = group_paths(tree, role_subtrees(tree, roles))
        return self._with(tree)

    def _with(self, tree: Node) -> "Result":
        return Result(analysis=self.analysis, tree=tree, mode=self.mode)

    # -- symbolic ---------------------------------------------------------------------

    @cached_property
    def symbolic(self) -> sympy.Expr:
        """The total of one sequence as a sympy polynomial in the dimensions' symbols
        (expanded; the seed's ``flops`` of In [18]).  Its ``xreplace`` with
        ``config.dims`` is :attr:`total` over ``N``.  In Jupyter it shows as LaTeX.

        >>> from flopdocs import model
        >>> from flopdocs.config.symbols import l, d_model
        >>> r = model("seed-512", convention="seed")
        >>> r.symbolic.coeff(l, 2)
        4*d_{model}*n_{layers} + 5*n_{heads}*n_{layers}
        >>> int(r.symbolic.xreplace(r.config.dims)) == r.total
        True
        """
        return sympy.expand(self.analysis.symbolic.total)

    def collect(self, symbol: Any) -> sympy.Expr:
        """:attr:`symbolic` collected by powers of one dimension (the seed's
        ``flops.collect("l")``): a symbol of :mod:`flopdocs.config.symbols` or a key's name.

        >>> from flopdocs import model
        >>> from flopdocs.config.symbols import l
        >>> model("seed-512", convention="seed").collect("l").coeff(l, 2)
        4*d_{model}*n_{layers} + 5*n_{heads}*n_{layers}
        """
        return _collect(self.symbolic, dimension(symbol, "collect"))

    def leading(self, symbol: Any) -> sympy.Expr:
        """The highest power of one dimension in :attr:`symbolic`, with its coefficient.

        >>> from flopdocs import model
        >>> model("seed-512", convention="seed").leading("d_model")
        8*d_{model}**2*l*n_{layers}
        """
        return leading_term(self.symbolic, dimension(symbol, "leading"))

    # -- output -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Exactly the data of ``flopdocs report --format json`` (for the shown tree)."""
        return as_json(self.analysis, self.tree)

    def to_json(self) -> str:
        """Exactly the text ``flopdocs report --format json`` prints.

        >>> import json
        >>> from flopdocs import model
        >>> json.loads(model("seed-512", convention="seed").to_json())["total"]
        51248964096
        """
        return render(self.analysis, self.tree, "json")

    def to_frame(self):
        """The breakdown as a pandas ``DataFrame`` with the columns of ``--format csv``
        (path, name, depth, leaf, flops, share); needs pandas (not a dependency)."""
        return display.pandas().DataFrame(display.frame_rows(self.analysis, self.tree))

    def __str__(self) -> str:
        """The CLI's table: ``print(result)`` prints what ``flopdocs report`` does."""
        return display.text_report(self.analysis, self.tree).removesuffix("\n")

    def __repr__(self) -> str:
        return (f"<flopdocs Result: {self.name}, convention {self.convention}, {self.mode}, "
                f"{self.total:,} FLOPs>")

    def _repr_html_(self) -> str:
        return display.html_report(self.analysis, self.tree, self.mode)

    def _repr_markdown_(self) -> str:
        return display.markdown_report(self.analysis, self.tree)
