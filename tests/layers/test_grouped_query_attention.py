"""GroupedQueryAttention: K and V projections shrink to n_kv heads; every query head still attends."""
import sympy

from flopdocs.conventions import applied
from flopdocs.structure.layers.grouped_query_attention import grouped_query_attention
from flopdocs.structure.params import parameter_tree
from flopdocs.structure.layers.multi_head_attention import multi_head_attention
from flopdocs.config.symbols import d_head, d_model, l, n_heads, n_kv_heads
from flopdocs.structure.tree import evaluate, to_dict

DIMS = {l: 4, d_model: 8, n_heads: 4, n_kv_heads: 2, d_head: 2}


def test_counts_by_hand():
    t = evaluate(applied(grouped_query_attention(l, l, d_head, d_head, d_model, n_heads, n_kv_heads)), DIMS)
    got = to_dict(t)
    assert got["Q * WQ"] == 512        # 2 * l4 * d8 * (d_head2 * h4)
    assert got["K * WK"] == 256        # 2 * 4 * 8 * (2 * n_kv2): half of Q's
    assert got["V * WV"] == 256
    # one head: Q*K.T 2*4*2*4 = 64, /sqrt 16, +mask 16, softmax 3*16 = 48, *V 64 -> 208
    assert t["ScaledDotProductAttention"].total == 4 * 208
    assert got["* WO"] == 512          # 2 * 4 * (2 * 4) * 8
    assert t.total == 512 + 256 + 256 + 832 + 512 == 2368
    assert t.name == t.layer == "GroupedQueryAttention"


def test_with_n_kv_equal_to_n_heads_it_is_multi_head():
    gqa = grouped_query_attention(l, l, d_model / n_heads, d_model / n_heads, d_model, n_heads, n_heads)
    mha = multi_head_attention(l, l, d_model / n_heads, d_model / n_heads, d_model, n_heads)
    assert sympy.expand(gqa.total - mha.total) == 0
    assert to_dict(gqa) == to_dict(mha)


def test_multi_query_symbolic_saving():
    # n_kv = 1: K and V cost 2 * 2*l*d*d_head instead of 2 * 2*l*d*d_head*h
    full = grouped_query_attention(l, l, d_head, d_head, d_model, n_heads, n_heads).total
    mqa = grouped_query_attention(l, l, d_head, d_head, d_model, n_heads, 1).total
    assert sympy.expand(full - mqa) == sympy.expand(4 * l * d_model * d_head * (n_heads - 1))


def test_params_by_hand():
    p = evaluate(parameter_tree(grouped_query_attention(l, l, d_head, d_head, d_model, n_heads,
                                                        n_kv_heads)), DIMS)
    # W_Q 8 x 8 = 64, W_K 8 x (2*2) = 32, W_V 32, W_O 8 x 8 = 64
    assert to_dict(p) == {"W_Q": 64, "W_K": 32, "W_V": 32, "W_O": 64}
    assert p.total == 192
    biased = evaluate(parameter_tree(grouped_query_attention(
        l, l, d_head, d_head, d_model, n_heads, n_kv_heads, qkv_bias=True, out_bias=True)), DIMS)
    # + b_Q 8, + b_K 4, + b_V 4, + b_O 8
    assert biased.total == 192 + 8 + 4 + 4 + 8
