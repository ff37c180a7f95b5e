"""``megatron``: Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU
Clusters Using Megatron-LM", eq. 3: 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) per iteration,
with full activation recomputation; Korthikanti et al. 2022, "Reducing Activation
Recomputation in Large Transformer Models", Appendix A, for selective recomputation.

Letters mapped to ours: B = N sequences, s = l tokens, l = n_layers, h = d_model,
V = n_vocab.  Its derivation (section 5.1): a layer's forward is 24·B·s·h² + 4·B·s²·h
(the Q, K, V projections 6·B·s·h², QKᵀ 2·B·s²·h, the scores times V 2·B·s²·h, the output
projection 2·B·s·h², the h → 4h → h MLP 16·B·s·h²), the logit layer's 2·B·s·h·V; backward
twice the forward.  ``--recompute full`` (eq. 3): one more forward of the layers (not of the
logit layer).  ``--recompute selective`` (Korthikanti et al. 2022, Appendix A): hardware
FLOPs 72·B·L·s·h²·(1 + s/(3h) + V/(12·h·L)) against the model FLOPs'
72·B·L·s·h²·(1 + s/(6h) + V/(12·h·L)), i.e. 12·B·L·s²·h more: three times the layers'
attention-score terms (as printed; it reproduces Table 5's HFUs, the 4·B·L·s²·h of one more
forward of them does not).  It assumes d_ff = 4h and n_heads·d_head = h.
"""
from __future__ import annotations

from dataclasses import replace

from flopdocs.conventions.formula import Model, Term, dense_decoder_only

NAME = "megatron"
TITLE = "Narayanan et al. 2021"
CITATION = ("Narayanan et al. 2021, Efficient Large-Scale Language Model Training on GPU "
            "Clusters Using Megatron-LM, eq. 3 and section 5.1; Korthikanti et al. 2022, "
            "Appendix A (selective recomputation)")
SUMMARY = ("Per sequence: each layer 24·s·h² + 4·s²·h (the matrix products of a d_ff = 4h "
           "block, with full s × s attention), the logit layer 2·s·h·V; backward twice the "
           "forward; with full recomputation the layers once more (eq. 3), with selective "
           "recomputation 12·s²·h per layer more (Korthikanti et al. 2022, Appendix A).")
MODES = ("forward", "training", "training-recompute", "prefill")
RECOMPUTE = ("full", "selective")
BACKWARD = 2
#: Korthikanti et al. 2022, App. A: selective recomputation adds s/(6h) of 72·B·L·s·h²,
#: 12·B·L·s²·h, three times the attention-score terms' 4·B·L·s²·h.
SELECTIVE = 3


refuses = dense_decoder_only("Megatron-LM's eq. 3")


def per_sequence(m: Model, seq: int) -> list[Term]:
    h, L = m.d_model, m.n_layers
    return [
        Term("layers: Q, K, V", L * 6 * seq * h * h, "6 s h² per layer", "attention-projection"),
        Term("layers: QKᵀ", L * 2 * seq * seq * h, "2 s² h per layer", "attention-scores"),
        Term("layers: scores × V", L * 2 * seq * seq * h, "2 s² h per layer", "attention-values"),
        Term("layers: output projection", L * 2 * seq * h * h, "2 s h² per layer", "attention-projection"),
        Term("layers: MLP", L * 16 * seq * h * h, "16 s h² per layer", "ffn"),
        Term("logit layer", 2 * seq * h * m.n_vocab, "2 s h V", "lm-head", recomputed=False),
    ]


def recompute(terms: list[Term], how: str) -> list[Term]:
    """``full``: every layer term once more; ``selective``: :data:`SELECTIVE` × the
    attention-score terms."""
    if how == "selective":
        return [replace(t, value=SELECTIVE * t.value, formula=f"{SELECTIVE} × {t.formula}")
                for t in terms if t.role in ("attention-scores", "attention-values")]
    return [t for t in terms if t.recomputed]
