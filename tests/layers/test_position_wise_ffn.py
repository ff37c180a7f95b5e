"""PositionWiseFFN (seed In [11], In [12])."""
import sympy

from flopdocs.conventions import applied
from flopdocs.structure.layers.position_wise_ffn import position_wise_ffn
from flopdocs.config.symbols import d_ff, d_model, l
from flopdocs.structure.tree import evaluate, to_dict


def test_seed_in_12():
    # In [12]: 4*d_ff*d_model*l + d_ff + d_model (the biases once, not per position)
    tree = applied(position_wise_ffn(l, d_model, d_ff, d_model), "seed")
    assert sympy.expand(tree.total) == 4 * d_ff * d_model * l + d_ff + d_model
    assert tree.keys() == ["* W1", "+ b1", "* W2", "+ b2"]


def test_by_hand_and_per_token_biases():
    dims = {l: 3, d_model: 2, d_ff: 5}
    # W1 2·3·2·5 = 60, b1 5, W2 2·3·5·2 = 60, b2 2
    assert to_dict(evaluate(applied(position_wise_ffn(l, d_model, d_ff, d_model), "seed"), dims)) == \
        {"* W1": 60, "+ b1": 5, "* W2": 60, "+ b2": 2}
    # per token (corrected): b1 3·5 = 15, b2 3·2 = 6
    got = to_dict(evaluate(position_wise_ffn(l, d_model, d_ff, d_model), dims))
    assert got["+ b1"] == 15 and got["+ b2"] == 6
    assert position_wise_ffn(l, d_model, d_ff, d_model, bias=False).keys() == ["* W1", "* W2"]
