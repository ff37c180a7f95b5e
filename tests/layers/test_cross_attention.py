"""CrossAttention: l_tgt queries over l_src keys, no mask."""
from flopdocs.conventions import applied
from flopdocs.structure.layers.cross_attention import cross_attention
from flopdocs.structure.params import parameter_tree
from flopdocs.config.symbols import d_model, l_src, l_tgt, n_heads
from flopdocs.structure.tree import evaluate, names, to_dict

DIMS = {l_tgt: 3, l_src: 5, d_model: 4, n_heads: 2}


def test_counts_by_hand():
    t = evaluate(applied(cross_attention(l_tgt, l_src, d_model / n_heads, d_model / n_heads, d_model, n_heads)), DIMS)
    got = to_dict(t)
    assert got["Q * WQ"] == 96    # 2 * l_tgt3 * d4 * 4
    assert got["K * WK"] == 160   # 2 * l_src5 * 4 * 4
    assert got["V * WV"] == 160
    # per head (d_k 2): Q*K.T 2*3*2*5 = 60, /sqrt 15, softmax 3*15 = 45, *V 60 -> 180; no mask
    assert got["ScaledDotProductAttention"]["Q * K.T"] == 2 * 60
    assert "+ mask" not in names(t)
    assert t["ScaledDotProductAttention"].total == 2 * 180
    assert got["* WO"] == 96
    assert t.total == 96 + 160 + 160 + 360 + 96 == 872


def test_params_like_self_attention():
    p = evaluate(parameter_tree(cross_attention(l_tgt, l_src, d_model / n_heads, d_model / n_heads, d_model, n_heads)), DIMS)
    assert p.total == 4 * 4 * 4  # four d x d matrices
    assert p.name == "CrossAttention"
