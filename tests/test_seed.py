"""The seed notebook's printed numbers, reproduced exactly by the `seed` convention."""
import sympy
import pytest

from flopdocs.counting.analysis import SEED_GROUPS, analyse
from flopdocs.config.config import parse
from flopdocs.conventions import seed
from flopdocs.config.symbols import d_ff, d_model, l, n_heads, n_layers, n_vocab
from flopdocs.structure.tree import to_dict

d, f, v, h, n = d_model, d_ff, n_vocab, n_heads, n_layers


def cfg(l, d_model, d_ff, n_vocab, n_layers, n_heads, name="t"):
    return parse(dict(name=name, l=l, d_model=d_model, d_ff=d_ff, n_vocab=n_vocab,
                      n_layers=n_layers, n_heads=n_heads), "<test>")


# The per-layer counts of In [6] - In [16] are pinned in tests/layers/test_<layer>.py.


def test_transformer_total_is_seed_in_18():
    # In [18], as printed (its last term left unexpanded by sympy).
    printed = (4 * f * d * l * n + f * n + 8 * d**2 * l * n + 4 * d * l**2 * n
               + 12 * d * l * n + 2 * d * l * v + 7 * d * l + 13 * d * n + 7 * d
               + 5 * l**2 * h * n + n * (2 * d * l + 2 * d))
    assert sympy.expand(seed.build().total) == sympy.expand(printed)
    # and not merely equal after expansion by accident of a zero: check one coefficient
    assert sympy.expand(seed.build().total).coeff(l, 2) == 4 * d * n + 5 * h * n


def test_seed_in_44_total(seed_config):
    # l=d=512, f=4096, v=30000, n=6, h=8:
    #   4fdln 25,769,803,776 + 8d²ln 6,442,450,944 + 4dl²n 3,221,225,472
    # + 2dlv 15,728,640,000 + 5l²hn 62,914,560 + 14dln 22,020,096 + 7dl 1,835,008
    # + 15dn 46,080 + fn 24,576 + 7d 3,584                          = 51,248,964,096
    a = analyse(seed_config, "seed")
    assert a.total == 51_248_964_096
    assert type(a.total) is int


def test_seed_in_52_count_dict(seed_config):
    # In [52], every printed value (the seed's floats are ints here).
    ln = {"mean(x)": 262656,  # l*d + d = 262144 + 512
          "var_x": {"X**2": 262144, "sum": 262144, "/ m": 512, "mean_x**2": 512,
                    "m - mean_x**2": 512},
          "numerator": 512, "denominator": 1024,
          "gamma*(numerator/denominator)+beta": 786432}  # 3*l*d
    expected = {
        "Embeddings": {"X_word + X_pos": 262144},  # l*d = 512*512
        "LayerNorm_Final": ln,
        "ProjectToVocab": 15728640000,  # 2*512*512*30000
        "Blocks": {
            # 2 LayerNorms x 6 layers = 12 x the final one
            "LayerNorms": {"mean(x)": 3151872,
                           "var_x": {"X**2": 3145728, "sum": 3145728, "/ m": 6144,
                                     "mean_x**2": 6144, "m - mean_x**2": 6144},
                           "numerator": 6144, "denominator": 12288,
                           "gamma*(numerator/denominator)+beta": 9437184},
            "ResidualConnections": 3145728,  # 2*l*d*6
            "MultiHeadAttention": {
                "Q * WQ": 1610612736,  # 2*512*512*512*6 (the seed printed 1610612736.0)
                "K * WK": 1610612736,
                "V * WV": 1610612736,
                "ScaledDotProductAttention": {
                    "Q * K.T": 1610612736,  # 2*l*d_k*l * h * 6 = 2*512*64*512*8*6
                    "/ sqrt(d_k)": 12582912,  # l*l*h*6
                    "+ mask": 12582912,
                    "Softmax": {"x - max(x)": 12582912, "e^x": 12582912, "sum": 12582912},
                    "* V": 1610612736,
                },
                "* WO": 1610612736,
            },
            "PositionWiseFFN": {"* W1": 12884901888,  # 2*512*512*4096*6
                                "+ b1": 24576,  # d_ff*6 (once per layer: the seed's count)
                                "* W2": 12884901888,
                                "+ b2": 3072},  # d_model*6
        },
    }
    got = to_dict(analyse(seed_config, "seed").tree)
    assert got == expected
    # key order is the seed's too
    assert list(got) == ["Embeddings", "LayerNorm_Final", "ProjectToVocab", "Blocks"]

    def all_ints(x):
        return all(all_ints(v) for v in x.values()) if isinstance(x, dict) else type(x) is int
    assert all_ints(got)


def test_seed_in_62_fractions(seed_config):
    fr = to_dict(analyse(seed_config, "seed").fractions())
    # In [62], as printed
    assert fr["Embeddings"]["X_word + X_pos"] == pytest.approx(5.115108268509576e-06, abs=1e-12)
    assert fr["LayerNorm_Final"]["mean(x)"] == pytest.approx(5.125098714346509e-06, abs=1e-12)
    assert fr["LayerNorm_Final"]["var_x"]["/ m"] == pytest.approx(9.990445836932766e-09, abs=1e-15)
    assert fr["LayerNorm_Final"]["denominator"] == pytest.approx(1.9980891673865532e-08, abs=1e-15)
    assert fr["LayerNorm_Final"]["gamma*(numerator/denominator)+beta"] == pytest.approx(
        1.534532480552873e-05, abs=1e-12)
    assert fr["ProjectToVocab"] == pytest.approx(0.3069064961105746, abs=1e-12)
    b = fr["Blocks"]
    assert b["LayerNorms"]["mean(x)"] == pytest.approx(6.150118457215811e-05, abs=1e-12)
    assert b["LayerNorms"]["gamma*(numerator/denominator)+beta"] == pytest.approx(
        0.00018414389766634474, abs=1e-12)
    assert b["ResidualConnections"] == pytest.approx(6.138129922211491e-05, abs=1e-12)
    assert b["MultiHeadAttention"]["Q * WQ"] == pytest.approx(0.031427225201722836, abs=1e-12)


# In [74] and In [75]: the grouped analysis, same keys, same shares to 1e-12.
IN_74 = {
    "Embeddings": 7.566801465307276e-08,
    "LayerNorm_Final": 4.542667188278953e-07,
    "ProjectToVocab": 0.007748404700474651,
    "Blocks": {"LayerNorms": 5.81461400099706e-05,
               "ResidualConnections": 9.685505875593314e-06,
               "MultiHeadAttention": {"Q * WQ": 0.07934366413286043,
                                      "K * WK": 0.07934366413286043,
                                      "V * WV": 0.07934366413286043,
                                      "ScaledDotProductAttention": 0.04005925230145394,
                                      "* WO": 0.07934366413286043},
               "PositionWiseFFN": 0.6347493248860107},
}
IN_75 = {
    "Embeddings": 1.119801735515862e-06,
    "LayerNorm_Final": 6.722637860433361e-06,
    "ProjectToVocab": 0.11466769771682427,
    "Blocks": {"LayerNorms": 0.00032268661730080133,
               "ResidualConnections": 5.375048330476138e-05,
               "MultiHeadAttention": {"Q * WQ": 0.05504049490407565,
                                      "K * WK": 0.05504049490407565,
                                      "V * WV": 0.05504049490407565,
                                      "ScaledDotProductAttention": 0.2244620182806835,
                                      "* WO": 0.05504049490407565},
               "PositionWiseFFN": 0.44032402484598815},
}


def _flat(d, prefix=()):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, prefix + (k,))
        else:
            yield prefix + (k,), v


@pytest.mark.parametrize("dims, printed", [
    ((2048, 8192, 32768, 51200, 64, 64), IN_74),
    ((2048, 1024, 4096, 51200, 24, 16), IN_75),
])
def test_seed_grouped_analysis(dims, printed):
    a = analyse(cfg(*dims), "seed")
    got = to_dict(a.fractions(a.grouped(SEED_GROUPS)))
    got_flat, want_flat = dict(_flat(got)), dict(_flat(printed))
    assert list(got_flat) == list(want_flat)  # same keys, same order
    for k, want in want_flat.items():
        assert got_flat[k] == pytest.approx(want, abs=1e-12), k
    assert sum(got_flat.values()) == pytest.approx(1.0, abs=1e-12)


def test_in_75_grouped_counts():
    # The counts behind In [75]: PositionWiseFFN = 24 * (4*2048*4096*1024 + 4096 + 1024)
    a = analyse(cfg(2048, 1024, 4096, 51200, 24, 16), "seed")
    g = to_dict(a.grouped(SEED_GROUPS))
    assert g["Blocks"]["PositionWiseFFN"] == 24 * (4 * 2048 * 4096 * 1024 + 4096 + 1024)
    assert g["ProjectToVocab"] == 2 * 2048 * 1024 * 51200
    assert g["Embeddings"] == 2048 * 1024


def test_n_multiplies_every_leaf(seed_config):
    a1 = analyse(seed_config, "seed")
    a3 = analyse(seed_config.with_values({"N": 3}, "<test>"), "seed")
    assert a3.total == 3 * 51_248_964_096
    assert a3.tree["Blocks", "PositionWiseFFN", "+ b1"].value == 3 * 24576
    assert a3.per_token == a1.per_token == 51_248_964_096 // 512
