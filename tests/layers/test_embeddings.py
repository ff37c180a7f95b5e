"""Embeddings under each position scheme, and their parameters."""
import pytest

from flopdocs.structure.layers.embeddings import embeddings
from flopdocs.structure.params import parameter_tree
from flopdocs.config.symbols import d_model, l, max_positions, n_token_types, n_vocab
from flopdocs.structure.tree import evaluate, to_dict

DIMS = {l: 8, d_model: 4, n_vocab: 10, max_positions: 16, n_token_types: 2}


@pytest.mark.parametrize("position, flops", [
    ("learned", {"X_word + X_pos": 32}),      # l8 * d4
    ("sinusoidal", {"X_word + X_pos": 32}),
    ("rope", {"X_word": 0}), ("alibi", {"X_word": 0}), ("relative", {"X_word": 0}), ("t5-relative", {"X_word": 0}),
    ("none", {"X_word": 0}),
])
def test_flops(position, flops):
    assert to_dict(evaluate(embeddings(l, d_model, n_vocab, position=position), DIMS)) == flops


def test_params():
    # X_word 10*4 = 40; learned X_pos: max_positions 16 * 4 = 64 (not l: the table does not
    # change with the run's length)
    def params(**options):
        tree = parameter_tree(embeddings(l, d_model, n_vocab, **options))
        return None if tree is None else to_dict(evaluate(tree, DIMS))

    assert params() == {"X_word": 40, "X_pos": 64}
    assert params(rows=l) == {"X_word": 40, "X_pos": 32}
    assert params(token_types=True) == {"X_word": 40, "X_pos": 64, "X_type": 8}
    assert params(position="sinusoidal") == params(position="rope") == {"X_word": 40}
    # the decoder's word table is the encoder's (a declared tie): nothing of its own
    assert params(position="rope", word_tied_to="X_word") is None
    assert params(word_tied_to="X_word") == {"X_pos": 64}


def test_token_types_add_one_per_element():
    tree = evaluate(embeddings(l, d_model, n_vocab, token_types=True), DIMS)
    assert to_dict(tree) == {"X_word + X_pos": 32, "+ X_type": 32}


def test_seed_in_6():
    # In [6]: Embeddings(l, d_model, n_vocab).flops_count = d_model*l
    assert embeddings(l, d_model, n_vocab).total == d_model * l
