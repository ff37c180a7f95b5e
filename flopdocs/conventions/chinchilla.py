"""``chinchilla``: Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models",
Appendix F, as printed.

Per sequence (seq tokens; key_size·heads = d_head·n_heads): embeddings 2·seq·vocab·d_model;
per layer K, Q, V 2·3·seq·d_model·(key_size·heads), logits 2·seq²·(key_size·heads), softmax
3·heads·seq², reduction 2·seq²·(key_size·heads), projection 2·seq·(key_size·heads)·d_model,
dense 2·seq·(d_model·ffw_size + d_model·ffw_size); final logits 2·seq·d_model·vocab;
backward 2× forward.  Table A4's ratios to 6N reproduce only without the embedding and
logit rows.
"""
from __future__ import annotations

from flopdocs.conventions.formula import Model, Term, dense_decoder_only

NAME = "chinchilla"
TITLE = "Hoffmann et al. 2022"
CITATION = "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models, Appendix F"
SUMMARY = ("Per sequence, every matrix product at 2 FLOPs per multiply-add, the embedding "
           "counted as a product with a one-hot matrix, the softmax 3 FLOPs per score; norms, "
           "biases and residuals not counted; backward twice the forward.")
MODES = ("forward", "training", "prefill")
BACKWARD = 2


refuses = dense_decoder_only("Hoffmann et al.'s Appendix F")


def per_sequence(m: Model, seq: int) -> list[Term]:
    d, L, kh, v = m.d_model, m.n_layers, m.d_head * m.n_heads, m.n_vocab
    return [
        Term("embeddings", 2 * seq * v * d, "2 seq vocab d_model", "embedding"),
        Term("attention: K, Q, V", L * 2 * 3 * seq * d * kh, "2·3 seq d_model (key_size heads)", "attention-projection"),
        Term("attention: logits", L * 2 * seq * seq * kh, "2 seq² (key_size heads)", "attention-scores"),
        Term("attention: softmax", L * 3 * m.n_heads * seq * seq, "3 heads seq²", "attention-softmax", None),
        Term("attention: reduction", L * 2 * seq * seq * kh, "2 seq² (key_size heads)", "attention-values"),
        Term("attention: projection", L * 2 * seq * kh * d, "2 seq (key_size heads) d_model", "attention-projection"),
        Term("dense block", L * 2 * seq * (d * m.d_ff + d * m.d_ff), "2 seq (d_model ffw_size + d_model ffw_size)", "ffn"),
        Term("final logits", 2 * seq * d * v, "2 seq d_model vocab", "lm-head"),
    ]
