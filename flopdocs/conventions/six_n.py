"""``6N``: 6·N FLOPs per training token and 2·N per forward token, N the parameters a token
is active in (Brown et al. 2020, Appendix D, Table D.1's caption: "a single addition and a
single multiply for each active parameter in the forward pass (ignoring attention)", then
3× for the backward).

N is the parameters one token passes through: every parameter of a dense model (the
embedding included, as Table D.1's 174,600M for GPT-3 175B); with a mixture of experts only
the k experts a token is routed to (Mixtral 8x7B: 12,879,925,248 of 46,702,792,704).
Encoder-decoder rule (Table D.1's T5 rows, "Frac of params active 0.5"): a token, source or
target, passes through half of the parameters, and FLOPs per token are per source + target
token, as every tree convention counts them.  Attention over the context, norms and the
rest are left out.  Not the non-embedding N of Kaplan et al. 2020 (that is ``kaplan``).
"""
from __future__ import annotations

from fractions import Fraction

from flopdocs.conventions.formula import Model, Term

NAME = "6N"
TITLE = "6N"
CITATION = ("Brown et al. 2020, Language Models are Few-Shot Learners, Appendix D, Table D.1 "
            "(6 FLOPs per active parameter per token; T5: half the parameters active)")
SUMMARY = ("2 FLOPs per active parameter per token forward (every parameter a token passes "
           "through, embedding included; the routed experts only; half of an "
           "encoder-decoder's), 6 for training (backward twice the forward); attention "
           "scores, norms and the rest not counted.")
MODES = ("forward", "training", "prefill", "decode", "generate")
BACKWARD = 2
#: The fraction of the active parameters one token of an encoder-decoder passes through.
ENCODER_DECODER_FRACTION = Fraction(1, 2)


def refuses(cfg) -> str | None:
    return None


def active(m: Model) -> int:
    """N: the parameters one token is active in (see the module's doc)."""
    n = m.params.active
    return int(n * ENCODER_DECODER_FRACTION) if m.encoder_decoder else n


def per_token(m: Model, n_ctx: int) -> list[Term]:
    return [Term("weights: 2·N", 2 * active(m), "2 N (N the active parameters)")]
