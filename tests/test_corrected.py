"""The `corrected` convention: the seed's tree with its three counting slips fixed."""
import json

import sympy
from hypothesis import given, settings, strategies as st

from flopdocs.counting.analysis import analyse
from flopdocs.cli.main import main
from flopdocs.config.config import parse
from flopdocs.conventions import applied, seed
from flopdocs.conventions import flopdocs as corrected
from flopdocs.structure.layers.layer_norm import layer_norm
from flopdocs.structure.layers.position_wise_ffn import position_wise_ffn
from flopdocs.structure.layers.softmax import softmax
from flopdocs.config.symbols import d_ff, d_model, l, n_heads, n_layers
from flopdocs.structure.tree import leaves, to_dict, walk

d, f, h, n = d_model, d_ff, n_heads, n_layers

# corrected - seed, per sequence: per block 2 LayerNorms (2dl + 12l - 14d), the FFN
# biases per position ((l - 1)(f + d)), one division per score (l²h); plus the final
# LayerNorm (dl + 6l - 7d).
DIFF = n * (2 * d * l + 12 * l - 14 * d + (l - 1) * (f + d) + l**2 * h) + d * l + 6 * l - 7 * d


def test_layer_norm_counts_per_row():
    # mean m·n + m, var 2·m·n + 3·m, X − μ m·n, denominator 2·m, affine 3·m·n
    m, w = sympy.symbols("m w", positive=True, integer=True)
    tree = applied(layer_norm(m, w), "corrected")
    seed_tree = applied(layer_norm(m, w), "seed")
    assert sympy.expand(tree.total) == 7 * m * w + 6 * m
    assert sympy.expand(seed_tree.total) == 6 * m * w + 7 * w  # the seed, unchanged
    assert tree.keys() == seed_tree.keys()


def test_ffn_biases_per_position_and_softmax_division():
    ffn = applied(position_wise_ffn(l, d, f, d), "corrected")
    assert ffn["+ b1"].value == l * f and ffn["+ b2"].value == l * d
    assert applied(softmax(l, l), "corrected").keys() == ["x - max(x)", "e^x", "sum", "/ sum"]
    assert applied(softmax(l, l), "corrected")["/ sum"].value == l**2


def test_symbolic_difference_from_seed():
    assert sympy.expand(corrected.build().total - seed.build().total - DIFF) == 0


def test_same_tree_shape_as_seed_but_the_softmax_division():
    s = {p for p, _ in walk(seed.build())}
    c = {p for p, _ in walk(corrected.build())}
    added = c - s
    assert s <= c
    assert added == {("Blocks", "MultiHeadAttention", "ScaledDotProductAttention", "Softmax", "/ sum")}


def test_seed_512_corrected_total(capsys):
    # 51,248,964,096 (seed) + f·l·n − f·n 12,558,336 + 3·d·l·n 4,718,592 − 15·d·n 46,080
    # + l²·h·n 12,582,912 + 12·l·n 36,864 + d·l 262,144 + 6·l 3,072 − 7·d 3,584
    # = 51,248,964,096 + 30,112,256 = 51,279,076,352
    assert main(["report", "seed-512", "--convention", "corrected", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["convention"] == "flopdocs"  # the old name is an alias
    assert data["total"] == 51_279_076_352
    b = data["breakdown"]["Blocks"]
    assert b["PositionWiseFFN"]["+ b1"] == 512 * 4096 * 6
    assert b["LayerNorms"]["numerator"] == 2 * 512 * 512 * 6
    assert b["MultiHeadAttention"]["ScaledDotProductAttention"]["Softmax"]["/ sum"] == 512 * 512 * 8 * 6


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 64), st.integers(1, 128), st.integers(1, 1 << 16), st.integers(1, 1 << 14),
       st.integers(1, 100), st.sampled_from(["relu", "swiglu"]), st.sampled_from(["layernorm", "rmsnorm"]))
def test_corrected_invariants(heads, d_k, length, width, layers, ffn, norm):
    cfg = parse({"name": "r", "l": length, "d_model": heads * d_k, "d_ff": width, "n_vocab": 1000,
                 "n_layers": layers, "n_heads": heads, "ffn": ffn, "norm": norm}, "<test>")
    a = analyse(cfg, "corrected")
    assert all(type(node.value) is int for _, node in leaves(a.tree))
    assert abs(sum(x.value for _, x in leaves(a.fractions())) - 1) < 1e-12
    if ffn == "relu" and norm == "layernorm":
        values = {s: cfg.dims[s] for s in (l, d_model, d_ff, n_heads, n_layers)}
        assert a.total - analyse(cfg, "seed").total == int(DIFF.xreplace(values))
    # parameters do not depend on how FLOPs are counted
    assert a.params == analyse(cfg, "seed").params
