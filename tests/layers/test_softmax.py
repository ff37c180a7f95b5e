"""Softmax: the seed's three steps (In [7]); the corrected convention's division."""
import sympy

from flopdocs.conventions import applied
from flopdocs.structure.layers.softmax import softmax
from flopdocs.config.symbols import l
from flopdocs.structure.tree import evaluate, to_dict

m, n = sympy.symbols("m n", positive=True, integer=True)


def test_seed_steps():
    # x - max(x), e^x, sum: one FLOP per element each = 3·m·n
    seed = applied(softmax(m, n), "seed")
    assert seed.keys() == ["x - max(x)", "e^x", "sum"]
    assert sympy.expand(seed.total) == 3 * m * n
    assert to_dict(evaluate(applied(softmax(l, l), "seed"), {l: 7})) == {"x - max(x)": 49, "e^x": 49, "sum": 49}


def test_division_counted_by_the_structure():
    assert sympy.expand(softmax(m, n).total) == 4 * m * n
    assert softmax(m, n)["/ sum"].value == m * n
    assert applied(softmax(m, n), "corrected") == softmax(m, n)
