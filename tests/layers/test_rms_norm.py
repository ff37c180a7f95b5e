"""RMSNorm, counted row by row: 4·m·n + 3·m FLOPs, γ only."""
import sympy

from flopdocs.structure.layers.rms_norm import rms_norm
from flopdocs.structure.params import parameter_tree
from flopdocs.config.symbols import d_model, l
from flopdocs.structure.tree import evaluate, to_dict


def test_counts_by_hand():
    t = evaluate(rms_norm(l, d_model), {l: 3, d_model: 4})
    assert to_dict(t) == {
        "X**2": 12,       # 3 * 4
        "sum": 12,
        "/ n + eps": 6,   # 2 per row, 3 rows
        "sqrt": 3,        # 1 per row
        "X / rms": 12,
        "gamma * x": 12,
    }
    assert t.total == 57  # 4*12 + 3*3


def test_symbolic_total():
    assert sympy.expand(rms_norm(l, d_model).total - (4 * l * d_model + 3 * l)) == 0


def test_params():
    p = evaluate(parameter_tree(rms_norm(l, d_model)), {l: 3, d_model: 4096})
    assert to_dict(p) == {"gamma": 4096}
