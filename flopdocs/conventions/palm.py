"""``palm``: Chowdhery et al. 2022, "PaLM", Appendix B: 6·P + 12·L·H·Q·T per training token.

P is every parameter, the (tied) embedding included: PaLM 540B's reported 46.2 % MFU at
238.3k tokens/s on 6,144 TPU v4 chips (275 TFLOP/s each) is reproduced with it, not without
(45.8 %).  L layers, H heads, Q head width, T sequence length.  The forward is one third,
2·P + 4·L·H·Q·T (nanoGPT's estimate_mfu uses the same form).
"""
from __future__ import annotations

from flopdocs.conventions.formula import Model, Term, dense_decoder_only

NAME = "palm"
TITLE = "Chowdhery et al. 2022"
CITATION = "Chowdhery et al. 2022, PaLM: Scaling Language Modeling with Pathways, Appendix B"
SUMMARY = ("Per token: 2 FLOPs per parameter (all of them, embedding included) plus 4·L·H·Q·T "
           "for the attention over T positions, forward; training is three times that "
           "(6·P + 12·L·H·Q·T); rematerialisation is not counted (that is MFU, not HFU).")
MODES = ("forward", "training", "prefill")
BACKWARD = 2


refuses = dense_decoder_only("PaLM's Appendix B")


#: The forward third of 6N + 12·L·H·Q·T as a closed form of N, as the model pages lay it
#: beside our count (:mod:`flopdocs.conventions.closed_forms`, with our N).
FORM_LATEX = r"2N + 4\,n_{layers}\, l\, d_{attn}"
FORM_CITATION = "Chowdhery et al. 2022, PaLM, Appendix B; nanoGPT's estimate_mfu"


def form(m: Model, n: int, n_ctx: int) -> list[Term]:
    """2·N + 4·L·H·Q·T per forward token, for a given N."""
    return [
        Term("weights: 2·P", 2 * n, "2 P (forward third of 6 P)"),
        Term("attention: 4·L·H·Q·T", 4 * m.n_layers * m.n_heads * m.d_head * n_ctx,
             "4 L H Q T (forward third of 12 L H Q T)", None),
    ]


def per_token(m: Model, n_ctx: int) -> list[Term]:
    return form(m, m.params.total, n_ctx)
