"""ScaledDotProductAttention, one head (seed In [7], In [8])."""
import sympy

from flopdocs.conventions import applied
from flopdocs.structure.layers.scaled_dot_product_attention import scaled_dot_product_attention
from flopdocs.config.symbols import d_k, d_model, l
from flopdocs.structure.tree import evaluate, to_dict


def test_seed_in_8():
    # In [8]: ScaledDotProductAttention(l, l, d_model, d_model).flops_count
    tree = applied(scaled_dot_product_attention(l, l, d_model, d_model), "seed")
    assert sympy.expand(tree.total) == 4 * d_model * l**2 + 5 * l**2
    assert tree.keys() == ["Q * K.T", "/ sqrt(d_k)", "+ mask", "Softmax", "* V"]


def test_by_hand():
    # l = 4, d_k = 3: Q K^T 2·4·3·4 = 96; scale, mask 16 each; softmax 3·16; P V 2·4·4·3 = 96
    got = to_dict(evaluate(applied(scaled_dot_product_attention(l, l, d_k, d_k), "seed"), {l: 4, d_k: 3}))
    assert got == {"Q * K.T": 96, "/ sqrt(d_k)": 16, "+ mask": 16,
                   "Softmax": {"x - max(x)": 16, "e^x": 16, "sum": 16}, "* V": 96}


def test_no_mask_for_bidirectional_attention():
    assert "+ mask" not in scaled_dot_product_attention(l, l, d_k, d_k, mask=False).keys()
