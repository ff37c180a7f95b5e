"""LayerNorm as the seed counts it (In [13], In [14]) and corrected."""
import sympy

from flopdocs.conventions import applied
from flopdocs.structure.layers.layer_norm import layer_norm
from flopdocs.config.symbols import d_model, l
from flopdocs.structure.tree import evaluate, to_dict


def test_seed_in_14():
    # In [14]: LayerNorm(l, d_model).flops_count = 6*d_model*l + 7*d_model
    assert sympy.expand(applied(layer_norm(l, d_model), "seed").total) == 6 * d_model * l + 7 * d_model


def test_seed_by_hand():
    # m = l = 3 rows, n = d_model = 4: mean 12 + 4; X**2, sum 12; per-"row" steps n = 4
    got = to_dict(evaluate(applied(layer_norm(l, d_model), "seed"), {l: 3, d_model: 4}))
    assert got == {"mean(x)": 16,
                   "var_x": {"X**2": 12, "sum": 12, "/ m": 4, "mean_x**2": 4, "m - mean_x**2": 4},
                   "numerator": 4, "denominator": 8, "gamma*(numerator/denominator)+beta": 36}


def test_corrected_by_hand():
    # per row (m = 3): mean 12 + 3; '/ m', mean², subtraction 3 each; X − μ 12; denominator 6
    got = to_dict(evaluate(applied(layer_norm(l, d_model), "corrected"), {l: 3, d_model: 4}))
    assert got == {"mean(x)": 15,
                   "var_x": {"X**2": 12, "sum": 12, "/ m": 3, "mean_x**2": 3, "m - mean_x**2": 3},
                   "numerator": 12, "denominator": 6, "gamma*(numerator/denominator)+beta": 36}
