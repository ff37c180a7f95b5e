"""Block (seed In [33], In [16])."""
import sympy

from flopdocs.conventions import applied
from flopdocs.structure.layers.block import block
from flopdocs.config.symbols import d_ff, d_model, l, n_heads

d, f, h = d_model, d_ff, n_heads


def test_seed_in_16():
    # In [16]
    want = 4 * f * d * l + f + 8 * d**2 * l + 4 * d * l**2 + 14 * d * l + 15 * d + 5 * l**2 * h
    tree = applied(block(l, d, f, h), "seed")
    assert sympy.expand(tree.total) == want
    assert tree.keys() == ["LayerNorms", "ResidualConnections", "MultiHeadAttention", "PositionWiseFFN"]
    assert tree["LayerNorms"].times == 2  # the seed's repeat(LayerNorm, 2)
