"""DecoderBlock: three norms, three residuals, causal self-attention, cross-attention, FFN."""
from flopdocs.conventions import applied
from flopdocs.structure.layers.decoder_block import decoder_block
from flopdocs.structure.params import parameter_tree
from flopdocs.config.symbols import d_ff, d_model, l_src, l_tgt, n_heads
from flopdocs.structure.tree import evaluate, to_dict

DIMS = {l_tgt: 3, l_src: 5, d_model: 4, d_ff: 6, n_heads: 2}


def test_counts_by_hand():
    t = evaluate(applied(decoder_block(l_tgt, l_src, d_model, d_ff, n_heads)), DIMS)
    assert t.keys() == ["LayerNorms", "ResidualConnections", "MultiHeadAttention",
                        "CrossAttention", "PositionWiseFFN"]
    # seed LayerNorm(m=3, n=4) = 6*4*3 + 7*4 = 100, three of them
    assert t["LayerNorms"].total == 300
    assert t["ResidualConnections"].total == 36  # 3 * l3 * d4
    # self: Q,K,V,O 4 * (2*3*4*4 = 96); per head 2*3*2*3 = 36, 9, 9, 27, 36 -> 117, x2
    assert t["MultiHeadAttention"].total == 384 + 234
    assert t["CrossAttention"].total == 872  # see test_cross_attention
    assert t["PositionWiseFFN"].total == 2 * (2 * 3 * 4 * 6) + 6 + 4  # biases once (seed)
    assert t.total == 300 + 36 + 618 + 872 + 298 == 2124


def test_params():
    p = evaluate(parameter_tree(decoder_block(l_tgt, l_src, d_model, d_ff, n_heads)), DIMS)
    # 3 norms x (γ 4 + β 4) = 24; self 4*16 = 64; cross 64; FFN 4*6 + 6 + 6*4 + 4 = 58
    assert {k: v if isinstance(v, int) else None for k, v in to_dict(p).items()} == {
        "LayerNorms": None, "MultiHeadAttention": None, "CrossAttention": None,
        "PositionWiseFFN": None}
    assert p.total == 24 + 64 + 64 + 58 == 210
