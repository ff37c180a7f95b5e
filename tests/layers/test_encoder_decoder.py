"""EncoderDecoder (Vaswani et al. 2017): encoder, decoder with cross-attention, LM head."""
import pytest

from flopdocs.counting.analysis import analyse
from flopdocs.config.config import ConfigError, parse
from flopdocs.structure.tree import names

BASE = dict(name="t", l=6, d_model=4, d_ff=6, n_vocab=10, n_layers=1, n_heads=2,
            architecture="encoder-decoder", l_src=5, l_tgt=3, n_encoder_layers=2,
            n_decoder_layers=1)


def test_structure_and_totals_by_hand():
    a = analyse(parse(BASE, "<t>"), "seed")
    assert a.tree.keys() == ["Encoder", "Decoder", "ProjectToVocab"]
    enc = a.tree["Encoder"]
    assert enc.keys() == ["Embeddings", "LayerNorm_Final", "Blocks"]
    assert enc["Blocks"].times == 2
    assert "+ mask" not in names(enc)  # bidirectional
    # encoder Embeddings: l_src5 * d4 = 20; final LayerNorm(5, 4) = 6*20 + 7*4 = 148
    assert enc["Embeddings"].total == 20 and enc["LayerNorm_Final"].total == 148
    # one encoder block over 5 tokens: norms 2*148 = 296, residual 2*20 = 40,
    # attention Q,K,V,O 4 * 2*5*4*4 = 640, heads 2 * (2*5*2*5 + 25 + 75 + 2*5*5*2) = 2*300 = 600,
    # FFN 2 * 2*5*4*6 + 6 + 4 = 490 -> 2066, two blocks
    assert enc["Blocks"].total == 2 * 2066
    dec = a.tree["Decoder"]
    # decoder: Embeddings 3*4 = 12, LayerNorm(3, 4) = 100, one DecoderBlock = 2124
    assert dec["Embeddings"].total == 12 and dec["LayerNorm_Final"].total == 100
    assert dec["Blocks"].total == 2124
    assert a.tree["ProjectToVocab"].value == 2 * 3 * 4 * 10
    assert a.total == 20 + 148 + 4132 + 12 + 100 + 2124 + 240


def test_params_share_one_word_embedding():
    a = analyse(parse({**BASE, "position": "sinusoidal", "tie_embeddings": True}, "<t>"), "seed")
    p = a.params
    # X_word 10*4 = 40 once; encoder: final norm 8, 2 blocks x (norms 16 + attn 64 + FFN 58 = 138);
    # decoder: final norm 8, 1 block 210; tied head: 0
    assert p.total == 40 + 8 + 2 * 138 + 8 + 210 == 542
    assert p.non_embedding == 542 - 40
    learned = analyse(parse(BASE, "<t>"), "seed").params
    # learned positions: a table per stack, max_positions rows each (default the longer of
    # l_src = 5 and l_tgt = 3: 2 * 5*4 = 40), and an untied head (40)
    assert learned.total == 542 + 40 + 40
    wider = analyse(parse({**BASE, "max_positions": 7}, "<t>"), "seed").params
    assert wider.total == 542 + 2 * 7 * 4 + 40
    with pytest.raises(ConfigError, match="l_src=5 is more than max_positions=4"):
        parse({**BASE, "max_positions": 4}, "<t>")


@pytest.mark.parametrize("key", ["l_src", "l_tgt", "n_encoder_layers", "n_decoder_layers"])
def test_encoder_decoder_keys_need_the_architecture(key):
    data = dict(name="t", l=6, d_model=4, d_ff=6, n_vocab=10, n_layers=1, n_heads=2, **{key: 3})
    with pytest.raises(ConfigError, match=f"{key}: only applies to architecture encoder-decoder"):
        parse(data, "<t>")


def test_defaults_come_from_l_and_n_layers():
    data = {k: v for k, v in BASE.items() if k not in ("l_src", "l_tgt", "n_encoder_layers", "n_decoder_layers")}
    cfg = parse(data, "<t>")
    assert [cfg.knob(k) for k in ("l_src", "l_tgt", "n_encoder_layers", "n_decoder_layers")] == [6, 6, 1, 1]
