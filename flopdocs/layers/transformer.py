"""The whole decoder: embeddings, n_layers blocks, final norm, LM head (seed In [17])."""
from ..ops import matmul
from ..symbols import d_ff, d_model, l, n_heads, n_layers, n_vocab
from ..tree import rename, repeat
from . import layer
from .block import block
from .embeddings import embeddings
from .layer_norm import layer_norm


@layer(
    "Transformer",
    example=lambda: (l, d_model, d_ff, n_vocab, n_layers, n_heads),
    summary="Embed the tokens, run n_layers blocks, normalise, project to the vocabulary.",
    computation=(
        r"X = \mathrm{Embeddings}(\text{inputs}): (l \times d_{model})",
        r"X \leftarrow \mathrm{Block}(X), \quad n_{layers} \text{ times}",
        r"X \leftarrow \mathrm{LayerNorm}(X)",
        r"\text{logits} = X W_{LM}: (l \times d_{model})(d_{model} \times n_{vocab})",
    ),
    notes=("This is one forward pass over one sequence of l tokens; multiply by N for N sequences.",),
)
def transformer(l, d_model, d_ff, n_vocab, n_layers, n_heads):
    return [
        embeddings(l, d_model, n_vocab),
        rename(layer_norm(l, d_model), "LayerNorm_Final"),
        matmul("ProjectToVocab", l, d_model, n_vocab),
        rename(repeat(block(l, d_model, d_ff, n_heads), n_layers), "Blocks"),
    ]
