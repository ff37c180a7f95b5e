"""A model's structure: which layers its tree is built from (plain data, hashable).

:class:`Arch` holds only the *structural* choices of a config (which FFN, which norm,
which position scheme, biases, experts, windowing, encoder/decoder): two configs with
the same ``Arch`` have the same symbolic tree, differing only in the values of the
dimensions.  Numeric knobs (``n_kv_heads``, ``d_head``, ``window``, ...) stay symbols
(:mod:`flopdocs.config.symbols`) and are evaluated through :attr:`flopdocs.config.config.Config.dims`.

A knob at its default value leaves the tree as the seed builds it: ``SEED`` (all
defaults) is the seed notebook's decoder, node for node.  How each node is *counted*
is not structure: that is a convention's business (:mod:`flopdocs.conventions`).

A heterogeneous stack (issue 21) is ``Arch.groups``: the stack's groups of identical
blocks, each a :class:`Group` built by :func:`layout` from the :data:`SPLITS` (a trait
some blocks have, counted by a config key).  A new kind of block (a Mamba or DeltaNet
mixer) is one more :class:`Split` whose ``has`` sets an ``Arch`` field the block reads,
and one more layer module; nothing else here changes.  This module does not build
trees or know group sizes' values: the sizes are symbols' differences
(:meth:`Group.size`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flopdocs.config import symbols as S
from flopdocs.config.keys import GATED_FFNS, T5_RELATIVE, symbol


@dataclass(frozen=True)
class Split:
    """A trait some of a stack's blocks have and the others lack.

    ``key`` counts the blocks that have it; on the stack's line of ``n_layers`` blocks they
    sit ``first`` (blocks 0 .. count − 1) or last.  Which blocks really have it does not
    change a count, only how many do, and that two traits overlap as these lines say
    (Hugging Face import checks it).  ``has`` / ``lacks``: the :class:`Arch` fields set in
    the blocks with / without it.
    """

    key: str
    label: str  # the blocks with the trait, in the tree: "Blocks, local"
    rest: str  # the others: "Blocks, global"
    first: bool
    has: tuple[tuple[str, Any], ...] = ()
    lacks: tuple[tuple[str, Any], ...] = ()


#: The ways a stack's blocks may differ, in the order group names list them.
SPLITS: tuple[Split, ...] = (
    Split("dense_layers", "dense", "MoE", True, has=(("moe", False), ("expert_width", False))),
    Split("window_layers", "local", "global", True, lacks=(("windowed", False),)),
    Split("nope_layers", "NoPE", "RoPE", False, has=(("position", "none"),)),
)
SPLIT_BY_KEY = {s.key: s for s in SPLITS}


@dataclass(frozen=True)
class Group:
    """Blocks ``start`` .. ``end`` of the stack's line (breakpoints: ``"0"``, ``"n_layers"``
    or a split's key), and for each split of the stack whether these blocks have it."""

    traits: tuple[tuple[str, bool], ...]
    start: str
    end: str

    @property
    def name(self) -> str:
        """``Blocks, local``; ``Blocks, dense, local`` when two splits apply."""
        labels = [SPLIT_BY_KEY[k].label if has else SPLIT_BY_KEY[k].rest for k, has in self.traits]
        return "Blocks, " + ", ".join(labels)

    def size(self) -> Any:
        """How many blocks: a difference of the splits' symbols (and ``n_layers``)."""
        return _point(self.end) - _point(self.start)

    def arch(self, stack: "Arch") -> "Arch":
        """The structure of one of these blocks: the stack's, with each split's fields."""
        fields: dict[str, Any] = {}
        for key, has in self.traits:
            split = SPLIT_BY_KEY[key]
            fields.update(split.has if has else split.lacks)
        return replace(stack, groups=(), **fields)

    def has(self, key: str) -> bool:
        return dict(self.traits).get(key, False)


def _point(name: str) -> Any:
    if name == "0":
        return 0
    if name == "n_layers":
        return S.n_layers
    return symbol(name) if SPLIT_BY_KEY[name].first else S.n_layers - symbol(name)


def layout(n_layers: int, counts: dict[str, int | None]) -> tuple[Group, ...]:
    """The groups of a stack of ``n_layers`` blocks, ``counts[key]`` of which have each
    split's trait; ``()`` when every block is the same (a split at 0 or n_layers is none)."""
    splits = [s for s in SPLITS if counts.get(s.key) is not None and 0 < counts[s.key] < n_layers]
    if not splits:
        return ()
    at = {s.key: counts[s.key] if s.first else n_layers - counts[s.key] for s in splits}
    points = {0: "0", n_layers: "n_layers"}
    for s in splits:  # a tie keeps the first split's name
        points.setdefault(at[s.key], s.key)
    cuts = sorted(points)
    groups = []
    for lo, hi in zip(cuts, cuts[1:]):
        traits = tuple((s.key, (lo < at[s.key]) if s.first else (lo >= at[s.key])) for s in splits)
        groups.append(Group(traits, points[lo], points[hi]))
    return tuple(groups)


@dataclass(frozen=True)
class Arch:
    architecture: str = "decoder"
    ffn: str = "relu"
    norm: str = "layernorm"
    position: str = "learned"
    attn_bias: bool = False  # biases on the Q, K, V projections
    attn_out_bias: bool = False  # bias on the output projection W_O
    ffn_bias: bool = True
    tie_embeddings: bool = False
    lm_head: bool = True
    gqa: bool = False  # n_kv_heads != n_heads: K and V have n_kv heads
    explicit_d_head: bool = False  # n_heads * d_head != d_model
    windowed: bool = False  # window < l: each query scores w keys, not l
    moe: bool = False  # the FFN is a routed mixture of experts
    expert_width: bool = False  # d_ff_expert given and != d_ff
    sinks: bool = False  # gpt-oss: a learned sink logit per head
    mla: bool = False  # kv_lora_rank: multi-head latent attention
    q_lora: bool = False  # q_lora_rank: MLA's queries through a latent too
    mla_absorb: bool = False  # MLA counted in its weight-absorbed form
    shared_expert: bool = False  # d_ff_shared: an FFN every token passes through beside the routed ones
    shared_expert_gate: bool = False  # Qwen2-MoE's sigmoid gate on the shared expert
    router_bias: bool = False  # gpt-oss: a bias on the router's logits
    token_types: bool = False  # BERT's token-type table, added to every embedding
    pooler: bool = False  # BERT's pooler on the first token
    lm_head_transform: bool = False  # BERT's masked-LM transform before the LM head, and its bias
    groups: tuple[Group, ...] = ()  # a heterogeneous stack's groups of identical blocks (layout)
    block: str = "sequential"  # parallel: attention and FFN on the same input (one or two norms)
    norm_position: str = "pre"  # post: X + Norm(f(X)); sandwich: X + Norm(f(Norm(X)))
    qk_norm: str = "none"  # a norm on q and k: per head (shared or own γ) or over the full width
    partial_rotary: bool = False  # rotary_dim < d_head: only d_rot channels of a head rotate
    embedding_scale: bool = False  # X * sqrt(d_model) after the lookup (Gemma)
    embedding_norm: bool = False  # a norm after the embeddings (BLOOM, BART)
    position_offset: bool = False  # the learned table has l_offset rows more (OPT, RoBERTa)
    attn_softcap: bool = False  # c * tanh(s / c) on every score (Gemma 2)
    logit_softcap: bool = False  # c * tanh(z / c) on every logit (Gemma 2)
    lm_head_bias: bool = False  # + b_LM on the logits (GPT-J, Phi)
    residual_scale: bool = False  # each sub-layer's output times a constant (Granite)
    logit_scale: bool = False  # the logits times a constant (Cohere, Granite)
    bias_every_layer: bool = False  # T5's bias table in every block, not once per stack (UMT5)

    # -- the dimensions the tree is written in ------------------------------------

    def d_k(self, d_model: Any = S.d_model, n_heads: Any = S.n_heads) -> Any:
        """Per-head width: the seed's ``d_model / n_heads`` unless ``d_head`` is explicit."""
        return S.d_head if self.explicit_d_head else d_model / n_heads

    @property
    def kv_heads(self) -> Any:
        """Key/value heads: ``n_kv`` with grouped-query attention, else ``None`` (= n_heads)."""
        return S.n_kv_heads if self.gqa else None

    @property
    def d_expert(self) -> Any:
        return S.d_ff_expert if self.expert_width else S.d_ff

    @property
    def encoder_decoder(self) -> bool:
        return self.architecture == "encoder-decoder"

    @property
    def gated(self) -> bool:
        return self.ffn in GATED_FFNS

    @property
    def t5_bias(self) -> bool:
        """T5's position scheme: a bias table per stack, added to every self-attention score."""
        return self.position == T5_RELATIVE

    @property
    def scaled_scores(self) -> bool:
        """Whether the scores are divided by √d_k (T5 folds the scale into W_Q's init)."""
        return not self.t5_bias

    @property
    def rescaled_lm_head(self) -> bool:
        """T5's tied LM head: the decoder output is multiplied by d_model^-1/2 first (not
        BERT's masked-LM head, whose transform comes first, with T5's positions or not)."""
        return self.t5_bias and self.tie_embeddings and self.lm_head and not self.lm_head_transform

    @property
    def norm_layer(self) -> str:
        return "RMSNorm" if self.norm == "rmsnorm" else "LayerNorm"

    @property
    def norm_params(self) -> str:
        """A LayerNorm's learned vectors: ``gamma-beta``, ``gamma`` or ``none``."""
        return {"layernorm-no-bias": "gamma", "layernorm-no-params": "none"}.get(self.norm, "gamma-beta")

    @property
    def norms_per_block(self) -> int:
        """Norms in one block: one per sub-layer (one for both in a parallel-one-norm
        block), twice that with sandwich norms."""
        base = 1 if self.block == "parallel-one-norm" else 2
        return base * (2 if self.norm_position == "sandwich" else 1)


SEED = Arch()
#: The fields of the 2019-2024 families (GPT-2, BERT, Llama, Mistral, Mixtral, Qwen2, T5):
#: a structure with any other field set (issue 21's zoo) is none of theirs.
OLDER_FIELDS = ("architecture", "ffn", "norm", "position", "attn_bias", "attn_out_bias", "ffn_bias",
                "tie_embeddings", "lm_head", "gqa", "explicit_d_head", "windowed", "moe", "expert_width",
                "token_types", "pooler", "lm_head_transform")
