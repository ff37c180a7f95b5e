"""One model under one convention: the evaluated tree and its views, as plain data."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from . import conventions
from . import params as _params
from .config import Config
from .errors import ConfigError
from .grouping import by, family_subtrees, group, group_paths
from .compiled import evaluate  # tree.evaluate's result, compiled once per structure
from .tree import Node, fractions, names, repeat

#: The grouping the seed's analysis uses (In [74], In [75]).
SEED_GROUPS = ("Embeddings", "LayerNorm_Final", "LayerNorms", "PositionWiseFFN",
               "ScaledDotProductAttention")


@dataclass(frozen=True)
class Analysis:
    config: Config
    convention: str
    symbolic: Node  # per sequence, in the dimensions' symbols

    @cached_property
    def per_sequence(self) -> Node:
        """The tree evaluated for one sequence: an ``int`` at every leaf."""
        try:
            return evaluate(self.symbolic, self.config.dims)
        except ValueError as e:
            raise ConfigError(str(e), origin=self.config.origin) from None

    @cached_property
    def tree(self) -> Node:
        """The tree for all N sequences (the seed's ``N *`` multiplier)."""
        n = self.config.n_sequences
        return self.per_sequence if n == 1 else repeat(self.per_sequence, n)

    @property
    def total(self) -> int:
        return self.tree.total

    @property
    def per_token(self) -> int:
        """Forward FLOPs per token processed, rounded down: one sequence's total over its
        :attr:`~flopdocs.config.Config.tokens` (l; l_src + l_tgt for an encoder-decoder)."""
        return self.per_sequence.total // self.config.tokens

    @cached_property
    def params(self) -> _params.Params:
        """Exact parameter counts (total, non-embedding, active) and their tree."""
        return _params.count(self.config)

    @cached_property
    def by_kind(self) -> dict[str, int]:
        """FLOPs (all N sequences) by kind of arithmetic; they sum to :attr:`total`."""
        return by(self.tree, "kind")

    @cached_property
    def by_role(self) -> dict[str, int]:
        """FLOPs (all N sequences) by role in the model; they sum to :attr:`total`."""
        return by(self.tree, "role")

    def closed_forms(self) -> dict[str, int] | None:
        """Per-token forward FLOPs by the usual closed forms (:mod:`flopdocs.closed_forms`),
        ``{key: value}``; ``None`` for an encoder-decoder."""
        from .closed_forms import estimates

        records = estimates(self)
        return None if records is None else {r.key: r.value for r in records}

    @cached_property
    def grouped_default(self) -> Node:
        """The grouped analysis: every largest subtree of one role family collapsed (the
        embeddings, the norms, the FFN, each head's attention)."""
        return group_paths(self.tree, family_subtrees(self.tree))

    def default_groups(self) -> tuple[str, ...]:
        """The names of the subtrees the grouped analysis collapses, in tree order."""
        return tuple(dict.fromkeys(p[-1] for p in family_subtrees(self.tree)))

    def fractions(self, tree: Node | None = None) -> Node:
        return fractions(self.tree if tree is None else tree, of=self.total)

    def grouped(self, keys) -> Node:
        keys = list(keys)
        known = names(self.tree)
        for k in keys:
            if k not in known or k == self.tree.name:
                example = ", ".join(self.default_groups())
                raise ConfigError(f"{k}: no such node (e.g. {example})", origin="--group")
        return group(self.tree, keys)


def analyse(config: Config, convention: str = conventions.DEFAULT) -> Analysis:
    conv = conventions.get(convention)
    return Analysis(config=config, convention=convention, symbolic=conv.build(config))
