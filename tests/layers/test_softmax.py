"""Softmax: the seed's three steps (In [7]); the corrected convention's division."""
import sympy

from flopdocs.layers.softmax import softmax
from flopdocs.symbols import l
from flopdocs.tree import evaluate, to_dict

m, n = sympy.symbols("m n", positive=True, integer=True)


def test_seed_steps():
    # x - max(x), e^x, sum: one FLOP per element each = 3·m·n
    assert softmax(m, n).keys() == ["x - max(x)", "e^x", "sum"]
    assert sympy.expand(softmax(m, n).total) == 3 * m * n
    assert to_dict(evaluate(softmax(l, l), {l: 7})) == {"x - max(x)": 49, "e^x": 49, "sum": 49}


def test_division_counted_when_asked():
    assert sympy.expand(softmax(m, n, divide=True).total) == 4 * m * n
    assert softmax(m, n, divide=True)["/ sum"].value == m * n
