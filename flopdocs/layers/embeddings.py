"""Embeddings: word plus position embedding (seed In [5])."""
from ..ops import elementwise
from ..symbols import d_model, l, n_vocab
from . import layer


@layer(
    "Embeddings",
    example=lambda: (l, d_model, n_vocab),
    summary="Look up each token's word vector and add its position vector.",
    computation=(r"X = X_{word} + X_{pos}: (l \times d_{model}) + (l \times d_{model})",),
    notes=("The lookups are gathers, not arithmetic: only the addition is counted.",
           r"The vocabulary size does not enter: a lookup costs no FLOPs."),
)
def embeddings(l, d_model, n_vocab):
    return [elementwise("X_word + X_pos", l, d_model)]
