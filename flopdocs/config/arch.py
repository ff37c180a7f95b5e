"""A model's structure: which layers its tree is built from (plain data, hashable).

:class:`Arch` holds only the *structural* choices of a config (which FFN, which norm,
which position scheme, biases, experts, windowing, encoder/decoder): two configs with
the same ``Arch`` have the same symbolic tree, differing only in the values of the
dimensions.  Numeric knobs (``n_kv_heads``, ``d_head``, ``window``, ...) stay symbols
(:mod:`flopdocs.config.symbols`) and are evaluated through :attr:`flopdocs.config.config.Config.dims`.

A knob at its default value leaves the tree as the seed builds it: ``SEED`` (all
defaults) is the seed notebook's decoder, node for node.  How each node is *counted*
is not structure: that is a convention's business (:mod:`flopdocs.conventions`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flopdocs.config import symbols as S
from flopdocs.config.keys import GATED_FFNS, T5_RELATIVE


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
    token_types: bool = False  # BERT's token-type table, added to every embedding
    pooler: bool = False  # BERT's pooler on the first token
    lm_head_transform: bool = False  # BERT's masked-LM transform before the LM head, and its bias
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
#: The block variants' fields (issue 21): a structure with any of them set is not one of
#: the 2019-2024 families (GPT-2, BERT, Llama, Mistral, Mixtral, Qwen2, T5).
NEWER_FIELDS = ("block", "norm_position", "qk_norm", "partial_rotary", "embedding_scale", "embedding_norm",
                "position_offset", "attn_softcap", "logit_softcap", "lm_head_bias", "residual_scale",
                "logit_scale")
