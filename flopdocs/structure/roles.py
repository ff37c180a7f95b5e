"""What a leaf is: its kind of arithmetic and its role in the model, from closed lists.

Every leaf of a cost tree says both (``Node.kind``, ``Node.role``); a name outside these
lists is an error when the node is made.  Shares, grouping, the parameter split and
``--format json``'s ``by_kind`` / ``by_role`` ask for these, never for node names.
Nothing here builds or walks trees.
"""
from __future__ import annotations

#: kind -> what it covers.
KINDS: dict[str, str] = {
    "matmul": "matrix products: 2 FLOPs per multiply-add",
    "elementwise": "additions, multiplications and divisions, element by element",
    "reduction": "sums over an axis",
    "transcendental": "exponentials and square roots (with the add before a square root)",
    "comparison": "maxima and top-k selection",
    "lookup": "table lookups (embedding gathers): no arithmetic",
}

#: role -> what it covers.
ROLES: dict[str, str] = {
    "embedding": "the token embedding: the lookup, and the addition of learned or sinusoidal positions",
    "position": "positions inside attention: rotary embedding, Transformer-XL's projection of "
                "relative positions, T5's bucketed bias table",
    "attention-projection": "the Q, K, V and output projections and their biases",
    "attention-scores": "query-key scores: QKᵀ, scaling, masks, ALiBi, relative-position scores and T5's bias",
    "attention-softmax": "the softmax over each query's scores",
    "attention-values": "the scores' weighted sum of the values (PV)",
    "router": "mixture-of-experts routing: the router, its softmax and the weighted mix of the experts",
    "ffn": "the feed-forward network: its matrices, biases and gate",
    "norm": "layer and RMS normalisation",
    "residual": "the residual additions",
    "lm-head": "the projection to the vocabulary (and its bias)",
    "head": "task heads on top of the stack: BERT's pooler and its masked-LM transform",
}

#: The grouped analysis: each family is a set of roles; a subtree whose every leaf has a
#: role of one family is shown as one part (the seed's In [74]: Embeddings, the norms,
#: the FFN, each head's attention).
FAMILIES: dict[str, frozenset[str]] = {
    "embedding": frozenset({"embedding"}),
    "norm": frozenset({"norm"}),
    "ffn": frozenset({"ffn", "router"}),
    "attention": frozenset({"attention-scores", "attention-softmax", "attention-values"}),
}

#: Roles whose parameters are embeddings (left out of the non-embedding count, Kaplan's N).
EMBEDDING_ROLES = frozenset({"embedding", "lm-head"})

for _family, _roles in FAMILIES.items():
    if not _roles <= ROLES.keys():
        raise ValueError(f"family {_family!r}: unknown roles {sorted(_roles - ROLES.keys())}")
if not EMBEDDING_ROLES <= ROLES.keys():
    raise ValueError(f"EMBEDDING_ROLES: unknown roles {sorted(EMBEDDING_ROLES - ROLES.keys())}")


def family_of(role: str | None) -> str | None:
    """The grouping family a role belongs to, or ``None``."""
    for name, roles in FAMILIES.items():
        if role in roles:
            return name
    return None
