"""``6N``: 6·P FLOPs per training token and 2·P per forward token, P every parameter.

The shorthand of GPT-3 (Brown et al. 2020, Appendix D: "6 · N · tokens") and of Kaplan et
al. 2020 (C ≈ 6·N·D, there with the non-embedding N); attention over the context is left
out.  Used here as GPT-3 states it: P all parameters.
"""
from __future__ import annotations

from flopdocs.conventions.formula import Model, Term

NAME = "6N"
TITLE = "6N"
CITATION = ("Brown et al. 2020, Language Models are Few-Shot Learners, Appendix D; Kaplan et al. "
            "2020, section 2.1 (C ≈ 6ND)")
SUMMARY = ("2 FLOPs per parameter per token forward (every parameter, embedding included), "
           "6 for training (backward twice the forward); attention scores, norms and the rest "
           "not counted.")
MODES = ("forward", "training", "prefill", "decode", "generate")
BACKWARD = 2


def refuses(cfg) -> str | None:
    return None


def per_token(m: Model, n_ctx: int) -> list[Term]:
    return [Term("weights: 2·P", 2 * m.params.total, "2 P")]
