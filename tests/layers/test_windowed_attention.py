"""WindowedAttention: each query scores min(l, window) keys."""
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import parse
from flopdocs.counting.modes import Options
from flopdocs.conventions import applied, seed
from flopdocs.structure.layers.windowed_attention import windowed_attention
from flopdocs.config.symbols import d_k, l, window
from flopdocs.structure.tree import evaluate, to_dict

BASE = dict(name="t", l=10, d_model=8, d_ff=16, n_vocab=10, n_layers=1, n_heads=4)


def test_counts_by_hand():
    t = evaluate(applied(windowed_attention(l, window, d_k, d_k), "seed"), {l: 10, window: 3, d_k: 2})
    assert to_dict(t) == {
        "Q * K.T": 120,    # 2 * l10 * d_k2 * w3
        "/ sqrt(d_k)": 30,  # 10 * 3
        "+ mask": 30,
        "Softmax": {"x - max(x)": 30, "e^x": 30, "sum": 30},
        "* V": 120,
    }
    assert t.total == 390


def test_window_below_l_counts_dense_by_default_and_the_band_when_exact():
    full = analyse(parse(BASE, "<t>"), "seed")
    win = analyse(parse({**BASE, "window": 3}, "<t>"), "seed")
    mha = win.tree["Blocks", "MultiHeadAttention"]
    assert "WindowedAttention" in mha.keys() and "ScaledDotProductAttention" not in mha.keys()
    # dense (a masked dense kernel, what FlopCounterMode counts): every one of the 10 x 10
    # scores per head, as full attention: Q*K.T 2*10*2*10 = 400, scale/mask/3 softmax
    # 5*100 = 500, *V 400 -> 1300 per head, 4 heads
    assert mha["WindowedAttention"].total == 4 * 1300 == \
        full.tree["Blocks", "MultiHeadAttention", "ScaledDotProductAttention"].total
    assert win.total == full.total
    # exact: the band admits sum_i min(i, 3) = 1 + 2 + 3*8 = 27 pairs = w(w+1)/2 + (l-w)w;
    # per head Q*K.T 2*2*27 = 108, five per-score steps 5*27 = 135, *V 108 -> 351
    exact = analyse(parse({**BASE, "window": 3}, "<t>"), "seed", options=Options(scores="exact"))
    assert exact.tree["Blocks", "MultiHeadAttention", "WindowedAttention"].total == 4 * 351
    assert exact.total == full.total - 4 * (1300 - 351)
    # the same parameters: windowing has none
    assert win.params.total == full.params.total


def test_window_at_least_l_is_full_attention_and_the_seed_tree():
    for w in (10, 11, 4096):
        cfg = parse({**BASE, "window": w}, "<t>")
        assert seed.build(cfg) == seed.build(parse(BASE, "<t>"))
        assert analyse(cfg, "seed").total == analyse(parse(BASE, "<t>"), "seed").total


def test_symbolic_stays_polynomial():
    cfg = parse({**BASE, "window": 3}, "<t>")
    assert window not in seed.build(cfg).total.free_symbols  # dense: the window does not count
    expr = seed.build(cfg, scores="exact").total
    # collects by w: the band's pairs w(w+1)/2 + (l - w)w are quadratic in w
    import sympy
    assert sympy.degree(sympy.expand(expr), window) == 2
