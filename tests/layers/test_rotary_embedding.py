"""RotaryEmbedding: 3 FLOPs per element of q and of k."""
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import parse
from flopdocs.structure.layers.rotary_embedding import rotary_embedding
from flopdocs.config.symbols import d_k, l, n_heads, n_kv_heads
from flopdocs.structure.tree import evaluate, to_dict


def test_counts_by_hand():
    t = evaluate(rotary_embedding(l, l, d_k, n_heads, n_kv_heads), {l: 5, d_k: 2, n_heads: 4, n_kv_heads: 2})
    assert to_dict(t) == {"rotate q": 120,  # 3 * l5 * (h4 * d_k2)
                          "rotate k": 60}   # 3 * 5 * (n_kv2 * 2)


def test_rope_config_adds_rotation_and_drops_position_add():
    base = dict(name="t", l=8, d_model=16, d_ff=32, n_vocab=10, n_layers=2, n_heads=4)
    learned = analyse(parse(base, "<t>"), "seed")
    rope = analyse(parse({**base, "position": "rope"}, "<t>"), "seed")
    rot = rope.tree["Blocks", "MultiHeadAttention", "RotaryEmbedding"]
    # per layer: rotate q 3*8*16 = 384, rotate k 384; two layers
    assert rot["rotate q"].value == rot["rotate k"].value == 2 * 384
    # embeddings: the l*d = 128 addition is gone (a 0-FLOP lookup remains)
    assert to_dict(rope.tree["Embeddings"]) == {"X_word": 0}
    assert rope.total == learned.total - 128 + 2 * 768
    # RoPE has no parameters, and no X_pos table: 8*16 = 128 fewer parameters
    assert rope.params.total == learned.params.total - 128
