"""Embeddings: word plus position embedding (seed In [5])."""
from ..ops import count, elementwise, parameters
from ..symbols import d_model, l, n_vocab
from ..tree import node
from . import layer


@layer(
    "Embeddings",
    example=lambda: (l, d_model, n_vocab),
    params=lambda: embeddings_params(l, d_model, n_vocab),
    summary="Look up each token's word vector and add its position vector.",
    computation=(r"X = X_{word} + X_{pos}: (l \times d_{model}) + (l \times d_{model})",),
    notes=("The lookups are gathers, not arithmetic: only the addition is counted.",
           r"The vocabulary size does not enter: a lookup costs no FLOPs.",
           "Config key position: learned (default, the seed's X_word + X_pos: a learned "
           "l × d_model table, so the config's l is the context length) or sinusoidal "
           "(Vaswani et al.: a fixed table, no parameters) add a position vector. rope, "
           "alibi and relative encode positions inside attention (RotaryEmbedding, "
           "'+ alibi', Transformer-XL's 'R * W_R') and none "
           "has no positions: the embedding is then a lookup only, shown as 'X_word' with "
           "0 FLOPs.",
           "Parameters: X_word (n_vocab × d_model, shared with the LM head when "
           "tie_embeddings is true) and, for learned positions, X_pos (l × d_model)."),
)
def embeddings(l, d_model, n_vocab, *, position="learned"):
    if position in ("learned", "sinusoidal"):
        return [elementwise("X_word + X_pos", l, d_model)]
    return [count("X_word", 0, "A lookup: no arithmetic (positions, if any, enter in attention).")]


def embeddings_params(l, d_model, n_vocab, *, position="learned", word=True):
    """``word=False``: the word table lives elsewhere (an encoder-decoder's shared table)."""
    ps = []
    if word:
        ps.append(parameters("X_word", n_vocab, d_model))
    if position == "learned":
        ps.append(parameters("X_pos", l, d_model))
    return node("Embeddings", ps, layer="Embeddings") if ps else None
