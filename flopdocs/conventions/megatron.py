"""``megatron``: Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU
Clusters Using Megatron-LM", eq. 3: 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) per iteration,
with full activation recomputation.

Letters mapped to ours: B = N sequences, s = l tokens, l = n_layers, h = d_model,
V = n_vocab.  Its derivation (section 5.1): a layer's forward is 24·B·s·h² + 4·B·s²·h, the
logit layer's 2·B·s·h·V; backward twice the forward; recomputation one more forward of
the layers (not of the logit layer).  It assumes d_ff = 4h and n_heads·d_head = h.
"""
from __future__ import annotations

from flopdocs.conventions.formula import Model, Term, dense_decoder_only

NAME = "megatron"
TITLE = "Narayanan et al. 2021"
CITATION = ("Narayanan et al. 2021, Efficient Large-Scale Language Model Training on GPU "
            "Clusters Using Megatron-LM, eq. 3 and section 5.1")
SUMMARY = ("Per sequence: each layer 24·s·h² + 4·s²·h (the matrix products of a d_ff = 4h "
           "block, with full s × s attention), the logit layer 2·s·h·V; backward twice the "
           "forward; with full recomputation the layers once more (eq. 3).")
MODES = ("forward", "training", "training-recompute", "prefill")
BACKWARD = 2


refuses = dense_decoder_only("Megatron-LM's eq. 3")


def per_sequence(m: Model, seq: int) -> list[Term]:
    h, L = m.d_model, m.n_layers
    return [
        Term("transformer layers", L * (24 * seq * h * h + 4 * seq * seq * h), "l (24 s h² + 4 s² h)"),
        Term("logit layer", 2 * seq * h * m.n_vocab, "2 s h V", "lm-head", recomputed=False),
    ]
