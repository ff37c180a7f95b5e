"""Symbolic collections by each variable (seed In [19] - In [25]) and leading terms."""
import pytest
import sympy

from flopdocs.conventions import seed
from flopdocs.config.symbols import SHORT, d_ff, d_model, l, n_heads, n_layers, n_vocab
from flopdocs.structure.tree import collect, leading_term

T = seed.build().total
d, f, v, h, n = (SHORT[s] for s in (d_model, d_ff, n_vocab, n_heads, n_layers))


def short(expr):
    return expr.xreplace(SHORT)


def test_short_names_in_19():
    # In [19] after expansion
    want = (8 * d**2 * l * n + 4 * d * f * l * n + 4 * d * l**2 * n + 14 * d * l * n
            + 2 * d * l * v + 7 * d * l + 15 * d * n + 7 * d + f * n + 5 * h * l**2 * n)
    assert sympy.expand(short(T)) == want
    assert str(d) == "d" and d.is_integer and d.is_positive


@pytest.mark.parametrize("var, coeffs", [
    # In [21]: l**2*(4*d*n + 5*h*n) + l*(8*d**2*n + 4*d*f*n + 14*d*n + 2*d*v + 7*d) + ...
    (l, {2: 4 * d * n + 5 * h * n, 1: 8 * d**2 * n + 4 * d * f * n + 14 * d * n + 2 * d * v + 7 * d,
         0: 15 * d * n + 7 * d + f * n}),
    # In [20]: 8*d**2*l*n + d*(4*f*l*n + 4*l**2*n + 14*l*n + 2*l*v + 7*l + 15*n + 7) + ...
    (d, {2: 8 * l * n, 1: 4 * f * l * n + 4 * l**2 * n + 14 * l * n + 2 * l * v + 7 * l + 15 * n + 7,
         0: f * n + 5 * h * l**2 * n}),
    (f, {1: 4 * d * l * n + n}),  # In [22]
    (v, {1: 2 * d * l}),  # In [24]
    (h, {1: 5 * l**2 * n}),  # In [25]
])
def test_collect_by_each_variable(var, coeffs):
    c = collect(short(T), var)
    assert sympy.expand(c - short(T)) == 0  # collecting never changes the value
    for power, coeff in coeffs.items():
        assert sympy.expand(c.coeff(var, power) - coeff) == 0


def test_leading_terms():
    assert sympy.expand(leading_term(T, l) - l**2 * (4 * d_model * n_layers + 5 * n_heads * n_layers)) == 0
    assert leading_term(T, d_model) == 8 * d_model**2 * l * n_layers
