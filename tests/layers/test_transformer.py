"""Transformer (seed In [17], In [18]) and the closed-form cross-check."""
import sympy

from flopdocs.conventions import applied
from flopdocs.structure.layers.transformer import transformer
from flopdocs.config.symbols import d_ff, d_model, l, n_heads, n_layers, n_vocab

d, f, v, n, h = d_model, d_ff, n_vocab, n_layers, n_heads


def test_seed_in_18():
    printed = (4 * f * d * l * n + f * n + 8 * d**2 * l * n + 4 * d * l**2 * n + 12 * d * l * n
               + 2 * d * l * v + 7 * d * l + 13 * d * n + 7 * d + 5 * l**2 * h * n
               + n * (2 * d * l + 2 * d))
    tree = applied(transformer(l, d, f, v, n, h), "seed")
    assert sympy.expand(tree.total - printed) == 0
    assert tree.keys() == ["Embeddings", "LayerNorm_Final", "ProjectToVocab", "Blocks"]
    assert tree["Blocks"].times == n


def test_closed_form_2n_plus_attention():
    # nanoGPT-style cross-check: forward ≈ 2·(weights) per token + attention's 4·d·l per
    # token per layer: 2·(12·d²·n·... ) with d_ff = 4d. The remainder is the seed's
    # elementwise steps, linear in l (or free of it), plus 5·h·l² n from the softmax & co.
    tree = applied(transformer(l, d, 4 * d, v, n, h), "seed")
    weights = n * (4 * d**2 + 2 * d * 4 * d) + d * v  # attention + FFN matrices, LM head
    rest = sympy.expand(tree.total - (2 * weights * l + 4 * n * d * l**2))
    assert sympy.degree(rest, d) == 1  # no d² term is left: every matmul is accounted for
    assert sympy.expand(rest.coeff(l, 2)) == 5 * h * n
