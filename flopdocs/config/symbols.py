"""The model's dimensions, defined once, with the seed's LaTeX names.

Which config key each symbol belongs to is declared in :data:`flopdocs.config.keys.KEYS`.

Every symbol is a positive integer: sympy can then simplify ``d_model / n_heads *
n_heads`` to ``d_model`` and the printer keeps the seed's names (``d_{model}``).
"""
from __future__ import annotations

from sympy import Symbol


def _dim(latex: str) -> Symbol:
    return Symbol(latex, integer=True, positive=True)


l = _dim("l")  # tokens per sequence
d_model = _dim(r"d_{model}")  # width of the residual stream
d_ff = _dim(r"d_{ff}")  # hidden width of the position-wise FFN
n_vocab = _dim(r"n_{vocab}")  # vocabulary size
n_layers = _dim(r"n_{layers}")  # number of blocks
n_heads = _dim(r"n_{heads}")  # attention heads
N = _dim("N")  # number of sequences (the seed's multiplier)

# Display-only: the per-head key/value width of a layer's derivation page.
d_k = _dim("d_k")
d_v = _dim("d_v")

# The architecture knobs' dimensions (issue 4): optional config keys, each a positive
# integer symbol so the tree stays symbolic; a knob left at its default does not appear
# in the tree at all (the seed's tree is unchanged).
n_kv_heads = _dim(r"n_{kv}")  # key/value heads (grouped-query attention)
d_head = _dim(r"d_{head}")  # explicit head width, when n_heads * d_head != d_model
window = _dim("w")  # sliding-window width: keys scored per query, when w < l
n_experts = _dim(r"n_{experts}")  # routed FFN experts per layer
experts_per_token = _dim(r"k_{experts}")  # experts each token is routed to (top-k)
d_ff_expert = _dim(r"d_{ff}^{expert}")  # hidden width of one expert, when not d_ff
d_ff_shared = _dim(r"d_{ff}^{shared}")  # hidden width of the shared expert(s) every token passes through
l_src = _dim(r"l_{src}")  # encoder-decoder: source tokens per sequence
l_tgt = _dim(r"l_{tgt}")  # encoder-decoder: target tokens per sequence
n_encoder_layers = _dim(r"n_{enc}")  # encoder-decoder: encoder blocks
n_decoder_layers = _dim(r"n_{dec}")  # encoder-decoder: decoder blocks
max_positions = _dim(r"l_{max}")  # rows of a learned position table (the model's longest input)
n_token_types = _dim(r"n_{types}")  # rows of BERT's token-type table (segment A / B)
n_buckets = _dim(r"n_{buckets}")  # T5: relative-distance buckets of the position bias table
# Multi-head latent attention (DeepSeek-V2/V3, Kimi K2)
r_kv = _dim(r"r_{kv}")  # width of the key-value latent (kv_lora_rank)
r_q = _dim(r"r_{q}")  # width of the query latent (q_lora_rank)
d_nope = _dim(r"d_{nope}")  # a head's query and key width without rotary (qk_nope_head_dim)
d_rope = _dim(r"d_{rope}")  # a head's rotary query and key width (qk_rope_head_dim)
d_v_mla = _dim(r"d_{v}^{head}")  # a head's value width (v_head_dim)
# Heterogeneous stacks (issue 21): how many of the n_layers blocks have a trait
# (flopdocs.config.arch.SPLITS); each group of identical blocks repeats by a difference of these.
n_local = _dim(r"n_{local}")  # layers under the sliding window (the rest attend to everything)
n_dense = _dim(r"n_{dense}")  # layers of a mixture-of-experts model whose FFN stays dense
n_nope = _dim(r"n_{nope}")  # layers of a rope model without rotary embeddings (NoPE)
d_rot = _dim(r"d_{rot}")  # partial rotary: the rotated width of each query and key head
position_offset = _dim(r"l_{offset}")  # rows a learned position table has beyond l_max (OPT: 2)

# The modes' dimensions (not config keys): the keys a decode step's queries score.
keys = _dim(r"n_{keys}")  # cached keys a decode step scores: min(context + 1, window)
keys_full = _dim(r"n_{keys}^{full}")  # ... in a global layer of a stack with local ones: context + 1
# The memory audits' dimension (not a config key): the devices model states are spread over.
devices = _dim("D")

#: the short names of the seed's In [19], for display: d, f, v, h, n.
SHORT: dict[Symbol, Symbol] = {
    d_model: _dim("d"),
    d_ff: _dim("f"),
    n_vocab: _dim("v"),
    n_heads: _dim("h"),
    n_layers: _dim("n"),
}
