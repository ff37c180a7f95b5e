"""MultiHeadAttention's options: biases, ALiBi, relative positions, explicit d_head."""
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import parse
from flopdocs.conventions import applied
from flopdocs.structure.layers.multi_head_attention import multi_head_attention
from flopdocs.structure.params import parameter_tree
from flopdocs.config.symbols import d_model, l, n_heads
from flopdocs.structure.tree import evaluate, to_dict

DIMS = {l: 3, d_model: 4, n_heads: 2}


def mha(**options):
    return evaluate(applied(multi_head_attention(l, l, d_model / n_heads, d_model / n_heads, d_model,
                                               n_heads, **options)), DIMS)


def test_biases_once_per_token():
    plain, biased = mha(), mha(qkv_bias=True, out_bias=True)
    got = to_dict(biased)
    assert got["+ b_Q"] == got["+ b_K"] == got["+ b_V"] == got["+ b_O"] == 12  # l3 * d4
    assert biased.total == plain.total + 48
    assert list(got) == ["Q * WQ", "+ b_Q", "K * WK", "+ b_K", "V * WV", "+ b_V",
                         "ScaledDotProductAttention", "* WO", "+ b_O"]


def test_alibi_adds_one_per_score():
    # l3 x l3 scores per head, 2 heads
    assert mha(alibi=True).total == mha().total + 18
    assert to_dict(mha(alibi=True))["ScaledDotProductAttention"]["+ alibi"] == 18


def test_relative_positions_by_hand():
    t = mha(relative=True)
    got = to_dict(t)
    assert got["R * W_R"] == 96  # 2 * l3 * d4 * (d_k2 * h2)
    s = got["ScaledDotProductAttention"]
    assert s["+ u, + v"] == 2 * 12       # per head 2 * l3 * d_k2, 2 heads
    assert s["Q * R.T"] == 2 * 36        # per head 2 * 3 * 2 * 3
    assert s["+ position scores"] == 2 * 9
    assert t.total == mha().total + 96 + 24 + 72 + 18
    p = evaluate(parameter_tree(multi_head_attention(l, l, d_model / n_heads, d_model / n_heads,
                                                     d_model, n_heads, relative=True)), DIMS)
    assert to_dict(p) == {"W_Q": 16, "W_K": 16, "W_V": 16, "W_R": 16,
                          "ScaledDotProductAttention": {"u": 4, "v": 4}, "W_O": 16}
    # W_Q, W_K, W_V, W_O 16 each; W_R 16; u and v 2 * 4
    assert p.total == 64 + 16 + 8


def test_explicit_d_head():
    # PaLM-style: n_heads * d_head != d_model: 2 heads of 8 on d_model 4
    base = dict(name="t", l=3, d_model=4, d_ff=8, n_vocab=10, n_layers=1, n_heads=2)
    a = analyse(parse({**base, "d_head": 8}, "<t>"), "seed")
    mha_ = a.tree["Blocks", "MultiHeadAttention"]
    assert mha_["Q * WQ"].value == 2 * 3 * 4 * 16  # d_model 4 -> h2 * d_head8
    assert mha_["* WO"].value == 2 * 3 * 16 * 4
    # W_Q, W_K, W_V, W_O: 4 * 4*16 = 256 attention parameters (the seed shape has 64)
    seedlike = analyse(parse(base, "<t>"), "seed")
    assert a.params.total == seedlike.params.total + 256 - 64
    # d_head equal to d_model / n_heads is the seed's tree
    assert analyse(parse({**base, "d_head": 2}, "<t>"), "seed").symbolic == seedlike.symbolic


def test_seed_in_10():
    # In [10]: MultiHeadAttention(l, l, d_model, d_model, d_model, n_heads) (d_k = d_model:
    # the notebook's own call) = 8 d² l h + 4 d l² h + 5 l² h
    import sympy

    d, h = d_model, n_heads
    tree = applied(multi_head_attention(l, l, d, d, d, h), "seed")
    assert sympy.expand(tree.total) == 8 * d**2 * l * h + 4 * d * l**2 * h + 5 * l**2 * h
    assert tree.keys() == ["Q * WQ", "K * WK", "V * WV", "ScaledDotProductAttention", "* WO"]


def test_t5_scores_unscaled_with_a_bias():
    # T5: no '/ sqrt(d_k)' (l3 x l3 scores, 2 heads: 18 fewer), '+ position bias' (18 more)
    plain, t5 = mha(), mha(scale=False, bias=True)
    s = to_dict(t5)["ScaledDotProductAttention"]
    assert "/ sqrt(d_k)" in to_dict(plain)["ScaledDotProductAttention"] and "/ sqrt(d_k)" not in s
    assert s["+ position bias"] == 18
    assert mha(scale=False).total == plain.total - 18 and t5.total == plain.total
    assert list(s) == ["Q * K.T", "+ position bias", "+ mask", "Softmax", "* V"]
