"""``kaplan``: Kaplan et al. 2020, "Scaling Laws for Neural Language Models", Table 1.

Per token, forward, row by row as printed (d_attn = n_heads·d_head, n_ctx the context):
embed 4·d_model; attention QKV 2·n_layer·d_model·3·d_attn; mask 2·n_layer·n_ctx·d_attn;
project 2·n_layer·d_attn·d_model; feedforward 2·n_layer·2·d_model·d_ff; de-embed
2·d_model·n_vocab.  "The backwards pass is approximately twice the forward" (section 2.1).

Table 1's total is "Total (Non-Embedding)": C_forward = 2N + 2·n_layer·n_ctx·d_attn, without
the Embed and De-embed rows, and so is the N of C ≈ 6N.  So this convention leaves out the
roles ``embedding`` and ``lm-head`` by default (:data:`EXCLUDE`); the report shows their
FLOPs beside the total, and ``--exclude none`` counts them in.
"""
from __future__ import annotations

from flopdocs.conventions.formula import Model, Term, dense_decoder_only

NAME = "kaplan"
TITLE = "Kaplan et al. 2020"
CITATION = "Kaplan et al. 2020, Scaling Laws for Neural Language Models, Table 1 and section 2.1"
SUMMARY = ("Per token, Table 1's non-embedding total C_forward = 2N + 2·n_layer·n_ctx·d_attn: "
           "2 FLOPs per weight of the QKV, projection and feed-forward matrices plus "
           "2·n_layer·n_ctx·d_attn for the attention scores; the Embed (4·d_model) and De-embed "
           "(2·d_model·n_vocab) rows shown beside it, not in it (--exclude none adds them); "
           "softmax, norms, biases and the weighted sum of values are not counted; backward "
           "twice the forward.")
MODES = ("forward", "training", "prefill", "decode", "generate")
BACKWARD = 2
#: Table 1's total is non-embedding: its Embed and De-embed rows are left out by default.
EXCLUDE = ("embedding", "lm-head")


refuses = dense_decoder_only("Kaplan et al.'s Table 1")


#: C_forward as a closed form of N, as the model pages lay it beside our count
#: (:mod:`flopdocs.conventions.closed_forms`, with our N).
FORM_LATEX = r"2N + 2\,n_{layers}\, l\, d_{attn}"
FORM_CITATION = "Kaplan et al. 2020, Scaling Laws for Neural Language Models, Table 1"


def mask(m: Model, n_ctx: int) -> Term:
    """Table 1's Attention: Mask row, the one context-dependent term of C_forward."""
    d_attn = m.n_heads * m.d_head
    return Term("attention: mask", 2 * m.n_layers * n_ctx * d_attn, "2 n_layer n_ctx d_attn", "attention-scores")


def form(m: Model, n: int, n_ctx: int) -> list[Term]:
    """Table 1's total, C_forward = 2N + 2·n_layer·n_ctx·d_attn, for a given N."""
    return [Term("2N", 2 * n, "2N", None), mask(m, n_ctx)]


def per_token(m: Model, n_ctx: int) -> list[Term]:
    d, L, d_attn = m.d_model, m.n_layers, m.n_heads * m.d_head
    return [
        Term("embed", 4 * d, "4 d_model", "embedding", "elementwise"),
        Term("attention: QKV", 2 * L * d * 3 * d_attn, "2 n_layer d_model 3 d_attn", "attention-projection"),
        mask(m, n_ctx),
        Term("attention: project", 2 * L * d_attn * d, "2 n_layer d_attn d_model", "attention-projection"),
        Term("feedforward", 2 * L * 2 * d * m.d_ff, "2 n_layer 2 d_model d_ff", "ffn"),
        Term("de-embed", 2 * d * m.n_vocab, "2 d_model n_vocab", "lm-head"),
    ]
