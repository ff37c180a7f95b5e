"""One model under one convention: the evaluated tree and its views, as plain data."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from . import conventions
from . import params as _params
from .config import Config, ConfigError
from .tree import Node, evaluate, fractions, group, names, repeat

#: The grouping the seed's analysis uses (In [74], In [75]).
SEED_GROUPS = ("Embeddings", "LayerNorm_Final", "LayerNorms", "PositionWiseFFN",
               "ScaledDotProductAttention")
#: The same roles under every architecture's node names (norms, FFN kinds, attention
#: scores); :meth:`Analysis.default_groups` keeps those a tree has.
GROUPS = ("Embeddings", "LayerNorm_Final", "RMSNorm_Final", "LayerNorms", "RMSNorms",
          "PositionWiseFFN", "GatedFFN", "MixtureOfExperts", "ScaledDotProductAttention",
          "WindowedAttention")


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
            raise ConfigError(f"{self.config.origin}: {e}") from None

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

    def closed_forms(self) -> dict[str, int] | None:
        """Per-token forward FLOPs by the usual closed forms, to set beside :attr:`per_token`.

        - ``kaplan``: 2·N + 2·n_layers·l·d_attn, N the non-embedding parameters a token
          uses (Kaplan et al. 2020, Table 1: C_forward, with n_ctx = l);
        - ``palm``: 2·N + 4·n_layers·l·d_attn, N every weight a token multiplies by
          (lookups dropped, a tied LM head counted): the forward third of PaLM's and
          nanoGPT's 6N + 12·L·H·Q·T (Chowdhery et al. 2022, App. B).

        d_attn = n_heads · d_head.  Both count full l × l attention (no window); ``None``
        for an encoder-decoder, whose attention is over l_src and l_tgt.
        """
        cfg, p = self.config, self.params
        if cfg.knob("architecture") == "encoder-decoder":
            return None
        l, d, v = cfg["l"], cfg["d_model"], cfg["n_vocab"]
        d_attn = cfg["n_heads"] * cfg.knob("d_head")
        embeddings = p.total - p.non_embedding
        weights = p.active - v * d - (l * d if cfg.knob("position") == "learned" else 0)
        if cfg.knob("tie_embeddings"):
            weights += v * d
        attention = cfg["n_layers"] * l * d_attn
        return {"kaplan": 2 * (p.active - embeddings) + 2 * attention,
                "palm": 2 * weights + 4 * attention}

    def default_groups(self) -> tuple[str, ...]:
        """:data:`GROUPS` that name a node of this tree (the seed's own for the seed)."""
        known = names(self.tree)
        return tuple(k for k in GROUPS if k in known)

    def fractions(self, tree: Node | None = None) -> Node:
        return fractions(self.tree if tree is None else tree, of=self.total)

    def grouped(self, keys) -> Node:
        keys = list(keys)
        known = names(self.tree)
        for k in keys:
            if k not in known or k == self.tree.name:
                raise ConfigError(f"--group: {k}: no such node (e.g. {', '.join(self.default_groups())})")
        return group(self.tree, keys)


def analyse(config: Config, convention: str = conventions.DEFAULT) -> Analysis:
    conv = conventions.get(convention)
    return Analysis(config=config, convention=convention, symbolic=conv.build(config))
