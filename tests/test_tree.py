"""Invariants of the cost tree, for random valid configs (hypothesis) and by hand."""
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from flopdocs.counting.analysis import SEED_GROUPS, analyse
from flopdocs.config.config import parse
from flopdocs.conventions import seed
from flopdocs.structure.ops import matmul
from flopdocs.config.keys import DIMENSIONS
from flopdocs.structure.grouping import group
from flopdocs.structure.tree import Node, anchor, evaluate, leaves, node, repeat, slug, to_dict


@st.composite
def configs(draw):
    n_heads = draw(st.integers(1, 64))
    d_k = draw(st.integers(1, 256))
    return parse({
        "name": "random",
        "l": draw(st.integers(1, 1 << 17)),
        "d_model": n_heads * d_k,
        "d_ff": draw(st.integers(1, 1 << 16)),
        "n_vocab": draw(st.integers(1, 1 << 18)),
        "n_layers": draw(st.integers(1, 200)),
        "n_heads": n_heads,
        "N": draw(st.integers(1, 1 << 12)),
    }, "<hypothesis>")


@settings(max_examples=60, deadline=None)
@given(configs())
def test_invariants(cfg):
    # (A parent's total is the sum of its children by definition, Node.total: not checked.)
    a = analyse(cfg, "seed")
    for _, n in leaves(a.tree):
        assert type(n.value) is int and n.value > 0
    # root == symbolic total evaluated (independently of the tree walk), times N
    values = {s: sympy.Integer(cfg[k]) for k, s in DIMENSIONS.items()}
    assert a.total == cfg.n_sequences * int(seed.build().total.xreplace(values))
    shares = [n.value for _, n in leaves(a.fractions())]
    assert all(isinstance(s, float) for s in shares)
    assert abs(sum(shares) - 1.0) < 1e-12
    # grouping keeps the total and makes the grouped keys leaves
    g = a.grouped(SEED_GROUPS)
    assert g.total == a.total
    assert type(g["Blocks", "PositionWiseFFN"].value) is int


def test_repeat_multiplies_leaves_and_records_times():
    t = node("T", [matmul("a", 2, 3, 4, role="ffn"), node("sub", [matmul("b", 1, 1, 1, role="ffn")])])
    r = repeat(repeat(t, 3), 5)
    assert to_dict(r) == {"a": 15 * 48, "sub": {"b": 15 * 2}}
    assert r.times == 15
    assert r.total == 15 * t.total == 15 * 50


def test_group_collapses_named_subtrees_but_not_root():
    t = node("T", [node("x", [matmul("a", 1, 1, 1, role="ffn"), matmul("b", 1, 1, 2, role="ffn")]), matmul("c", 1, 1, 3, role="ffn")])
    g = group(t, ["x", "T"])
    assert to_dict(g) == {"x": 6, "c": 6}


def test_node_rejects_duplicate_children_empty_leaves_and_unknown_kinds_and_roles():
    with pytest.raises(ValueError):
        node("T", [matmul("a", 1, 1, 1, role="ffn"), matmul("a", 1, 1, 1, role="ffn")])
    with pytest.raises(ValueError):
        Node("empty")
    with pytest.raises(ValueError, match="unknown role 'fnn'"):  # a misspelt role fails at once
        matmul("a", 1, 1, 1, role="fnn")
    with pytest.raises(ValueError, match="unknown kind 'matmull'"):
        Node("a", value=1, kind="matmull", role="ffn")


def test_evaluate_rejects_non_integers():
    from flopdocs.config.symbols import d_model, n_heads
    t = node("T", [Node("x", value=d_model / n_heads)])
    with pytest.raises(ValueError, match="not a whole number"):
        evaluate(t, {d_model: 10, n_heads: 4})
    assert evaluate(t, {d_model: 12, n_heads: 4})["x"].value == 3


def test_d_k_stays_exact_rational():
    # d_k = d_model / n_heads is a sympy ratio, never a float: no Float anywhere in the tree.
    for _, n in leaves(seed.build()):
        assert not n.value.atoms(sympy.Float)


@pytest.mark.parametrize("name, expected", [
    ("Q * WQ", "q-wq"), ("+ b1", "b1"), ("/ sqrt(d_k)", "sqrt-d-k"),
    ("MultiHeadAttention", "multi-head-attention"), ("LayerNorm_Final", "layer-norm-final"),
    ("gamma*(numerator/denominator)+beta", "gamma-numerator-denominator-beta"),
])
def test_anchor(name, expected):
    assert anchor(name) == expected


@pytest.mark.parametrize("name, expected", [
    ("Llama 2 7B", "llama-2-7b"), ("PaLM 540B", "palm-540b"), ("Mistral 7B v0.1", "mistral-7b-v0-1"),
    ("  GPT-3 <b>XL</b> ", "gpt-3-b-xl-b"),
])
def test_slug(name, expected):
    assert slug(name) == expected
