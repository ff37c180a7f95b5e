"""The closed forms papers quote for forward FLOPs per token, as records beside our count.

Each :class:`Estimate` says what it is (key, label, citation, formula), its value for a
model and, where the model has something the form ignores, the caveat.  Each form is
declared once, as ``form(model, N, n_ctx)`` in its convention's module (:mod:`.kaplan`,
:mod:`.palm`); here only our N is put in.  The site and reports lay these out; nothing
here formats a page.
"""
from __future__ import annotations

from dataclasses import dataclass

from flopdocs.conventions import kaplan, palm
from flopdocs.conventions.formula import model_of


@dataclass(frozen=True)
class Estimate:
    key: str
    label: str  # what a table row calls it (Markdown, with inline LaTeX)
    citation: str
    formula: str  # LaTeX
    value: int  # FLOPs per token
    diff: float  # (our count − value) / value


def estimates(a) -> list[Estimate] | None:
    """Per-token forward FLOPs of an :class:`~flopdocs.counting.analysis.Analysis` by the usual
    forms, each the ``form`` its convention module declares, with our N put in:

    - ``kaplan``: 2·N + 2·n_layers·l·d_attn, N the non-embedding parameters a token
      uses (Kaplan et al. 2020, Table 1: C_forward, with n_ctx = l);
    - ``palm``: 2·N + 4·n_layers·l·d_attn, N every weight a token multiplies by
      (lookups dropped, a tied LM head counted): the forward third of PaLM's and
      nanoGPT's 6N + 12·L·H·Q·T (Chowdhery et al. 2022, App. B).

    d_attn = n_heads · d_head.  Both count full l × l attention (no window); ``None``
    for an encoder-decoder, whose attention is over l_src and l_tgt.
    """
    cfg, p = a.config, a.params
    if cfg.is_encoder_decoder:
        return None
    v, d = cfg["n_vocab"], cfg["d_model"]
    embeddings = p.total - p.non_embedding
    weights = p.active - v * d - (cfg.get("max_positions") * d if cfg.get("position") == "learned" else 0)
    weights -= (cfg.get("token_types") or 0) * d  # BERT's token-type table: a lookup too
    if cfg.get("tie_embeddings"):
        weights += v * d
    m = model_of(cfg, p)
    forms = [
        (kaplan, r"Kaplan et al. 2020, Table 1: $" + kaplan.FORM_LATEX + r"$, $N$ our non-embedding count",
         p.active - embeddings),
        (palm, r"PaLM (Chowdhery et al. 2022, App. B), nanoGPT: $" + palm.FORM_LATEX + r"$, "
               r"$N$ the weights a token multiplies", weights),
    ]
    ours = a.per_token
    out = []
    for module, label, n in forms:
        value = sum(t.value for t in module.form(m, n, m.l))
        out.append(Estimate(module.NAME, label, module.FORM_CITATION, module.FORM_LATEX, value,
                            (ours - value) / value))
    return out


def caveat(a) -> str:
    """What, besides the elementwise steps, separates this model's count from the second form."""
    cfg = a.config
    text = ""
    if cfg.arch.windowed:
        text += ("; a sliding window does not change this count (like the closed forms it counts "
                 "every score a dense kernel computes; `--scores exact` counts only the band)")
    if cfg.get("position") == "relative":
        text += (", and by the relative-position scores (Transformer-XL's $QR^T$, a third "
                 r"$l \times l$ product)")
    return text


def kaplan_n(cfg) -> int:
    """Kaplan et al. 2020's own N (Table 1): 2·d_model·n_layers·(2·d_attn + d_ff), weights
    of the attention and FFN matrices only (no biases, norms, gates or other weights)."""
    d_attn = cfg["n_heads"] * cfg.get("d_head")
    return 2 * cfg["d_model"] * cfg["n_layers"] * (2 * d_attn + cfg["d_ff"])


def wording(a) -> dict[str, str]:
    """The cross-check's sentences that depend on the model's own structure."""
    cfg = a.config
    arch = cfg.arch
    if arch.lm_head:
        head = ("Kaplan's total leaves out the LM head (its Table 1 lists it apart, as "
                "de-embedding)")
    else:
        head = "This model has no LM head, so Kaplan's leaving it out changes nothing here"
    if arch.architecture == "encoder":
        mask = ("as if half of the scores were skipped: this encoder has no causal mask and "
                "computes every one")
    else:
        mask = "as if the causal mask's zero half were skipped"
    extra = []
    if arch.attn_bias or arch.attn_out_bias or arch.ffn_bias:
        extra.append("biases")
    extra.append("norms")
    if arch.gated:
        extra.append("the FFN's third (gate) matrix")
    if arch.position == "relative":
        extra.append("the relative-position weights")
    if arch.t5_bias:
        extra.append("the position bias table")
    if arch.pooler or arch.lm_head_transform:
        extra.append("the pooler and masked-LM transform")
    if arch.moe:
        extra.append("routers, and the k experts a token uses")
    ours = a.params.active - (a.params.total - a.params.non_embedding)
    return {"head": head, "mask": mask, "kaplan_n": kaplan_n(cfg), "our_n": ours,
            "n_extra": ", ".join(extra)}
