"""Compiled evaluation is the reference evaluation: the same tree, the same ints, the same errors."""
import random
from types import SimpleNamespace

import pytest
import sympy
from hypothesis import given, settings, strategies as st

from flopdocs.compile import compiled
from flopdocs import conventions
from flopdocs.structure import params
from flopdocs.counting.analysis import Analysis, analyse
from flopdocs.config.catalogue import models
from flopdocs.compile.codegen import NotCompilable, compile_exprs
from flopdocs.compile.compiled import breakdown, compile_leaves, compile_tree
from flopdocs.config.config import Config, ConfigError, parse
from flopdocs.config.keys import symbol
from flopdocs.config.symbols import d_model, l, n_heads
from flopdocs.structure.tree import Node, evaluate, leaves, node, repeat

CONVENTIONS = sorted(n for n, m in conventions.CONVENTIONS.items() if conventions.is_tree(m))


def reference(cfg, convention):
    return evaluate(conventions.get(convention).build(cfg), cfg.dims)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_every_catalogue_model_evaluates_to_the_reference_tree(convention):
    for cfg in models():
        tree = conventions.get(convention).build(cfg)
        got = compile_tree(tree).evaluate(cfg.dims)
        assert got == evaluate(tree, cfg.dims), cfg.name
        # node for node: names, ints (not sympy Integers), times and copies
        pairs = list(zip((n for _, n in leaves(got)), (n for _, n in leaves(evaluate(tree, cfg.dims)))))
        assert all(type(a.value) is int and a.value == b.value and type(a.times) is type(b.times)
                   for a, b in pairs)


@st.composite
def configs(draw):
    """Random valid configs of every structure (the knobs all drawn)."""
    n_heads_ = draw(st.sampled_from([1, 2, 4, 8, 12]))
    data = dict(name="random", l=draw(st.integers(1, 1 << 20)), d_model=n_heads_ * draw(st.integers(1, 512)),
                d_ff=draw(st.integers(1, 1 << 16)), n_vocab=draw(st.integers(1, 1 << 18)),
                n_layers=draw(st.integers(1, 200)), n_heads=n_heads_, N=draw(st.integers(1, 9)))
    arch = draw(st.sampled_from(["decoder", "encoder", "encoder-decoder"]))
    data["architecture"] = arch
    data["n_kv_heads"] = draw(st.sampled_from([k for k in (1, 2, 3, 4, 6, 8, 12) if n_heads_ % k == 0]))
    if draw(st.booleans()):
        data["d_head"] = draw(st.integers(1, 300))
    data["ffn"] = draw(st.sampled_from(["relu", "gelu", "swiglu", "geglu"]))
    data["norm"] = draw(st.sampled_from(["layernorm", "rmsnorm"]))
    data["position"] = draw(st.sampled_from(["learned", "sinusoidal", "rope", "alibi", "relative", "t5-relative", "none"]))
    for key in ("attn_bias", "attn_out_bias", "ffn_bias", "lm_head"):
        data[key] = draw(st.booleans())
    if data["lm_head"]:
        data["tie_embeddings"] = draw(st.booleans())
    if draw(st.booleans()):
        data["n_experts"] = draw(st.integers(1, 64))
        data["experts_per_token"] = draw(st.integers(1, data["n_experts"]))
        if draw(st.booleans()):
            data["d_ff_expert"] = draw(st.integers(1, 1 << 14))
    if arch == "encoder-decoder":
        for key in ("l_src", "l_tgt", "n_encoder_layers", "n_decoder_layers"):
            if draw(st.booleans()):
                data[key] = draw(st.integers(1, 4096))
    elif draw(st.booleans()):
        data["window"] = draw(st.integers(1, 1 << 20))
    return parse(data, "<random>")


@settings(max_examples=70, deadline=None)
@given(configs(), st.sampled_from(CONVENTIONS))
def test_random_configs_evaluate_to_the_reference_tree(cfg, convention):
    tree = conventions.get(convention).build(cfg)
    assert compile_tree(tree).evaluate(cfg.dims) == evaluate(tree, cfg.dims)
    # through Analysis (compiled from a structure's second evaluation on)
    for _ in range(2):
        a = analyse(cfg, convention)
        assert a.per_sequence == evaluate(a.symbolic, cfg.dims)
        assert a.tree.total == a.total == cfg.n_sequences * evaluate(a.symbolic, cfg.dims).total


def inexact_config() -> tuple[Config, object]:
    """A config parse refuses (d_model 3 is not divisible by n_heads 4), built directly, and
    the structure it would have: its grouped-query K projection, 2·d²·l·n_kv·n_layers /
    n_heads = 18/4, is not whole."""
    good = parse({"name": "x", "l": 1, "d_model": 4, "d_ff": 1, "n_vocab": 1, "n_layers": 1,
                  "n_heads": 4, "n_kv_heads": 1}, "<inexact>")
    return Config(name="x", values={**good.values, "d_model": 3}, origin="<inexact>", knobs=good.knobs), good.arch


def test_an_inexact_config_raises_the_reference_error():
    cfg, arch = inexact_config()
    tree = conventions.get("seed").build(SimpleNamespace(arch=arch))
    with pytest.raises(ValueError) as ref:
        evaluate(tree, cfg.dims)
    assert "K * WK" in str(ref.value) and "9/2, not a whole number" in str(ref.value)
    with pytest.raises(ValueError) as got:
        compile_tree(tree).evaluate(cfg.dims)
    assert str(got.value) == str(ref.value)
    for _ in range(3):  # the first evaluation by the reference, then compiled: the same error
        with pytest.raises(ConfigError) as err:
            Analysis(config=cfg, convention="seed", symbolic=tree).per_sequence  # noqa: B018
        assert str(err.value) == f"<inexact>: {ref.value}"
    b = breakdown(arch, "seed")
    with pytest.raises(ValueError) as row:
        b.of(cfg)
    assert str(row.value) == str(ref.value)
    # the table's program: K and V are 9/2 each, their role's sum (45) is whole, yet the
    # row is refused, as the reference refuses it
    from flopdocs.counting.rows import Counting, summary

    s = summary(Counting(), arch)
    args = [cfg.get(k) for k in s.keys]
    assert s.function(*args) is None
    assert s.function(*[4 if k == "d_model" else a for k, a in zip(s.keys, args)]) is not None
    # two layers: every count the table shows is whole (K * WK = 9·l), but one layer's W_K
    # holds 9/2 parameters, which the reference refuses: so does the table's program
    two = {**{k: cfg.get(k) for k in s.keys}, "n_layers": 2}
    with pytest.raises(ValueError, match="'W_K' evaluates to 9/2"):
        evaluate(params.symbolic(arch).tree, {symbol(k): v for k, v in two.items()})
    assert s.function(*(two[k] for k in s.keys)) is None


def test_a_leaf_row_checks_the_repeat_factors():
    sub = repeat(node("S", [Node(name="a", value=l, kind="matmul", role="ffn")]), d_model / n_heads)
    b = compile_leaves(node("T", [sub]))
    assert b.keys == ("l", "d_model", "n_heads") and b.paths == (("S", "a"),)
    assert b.row(3, 8, 4) == (6,)
    with pytest.raises(ValueError, match="repeat factor of 'S' evaluates to 7/4"):
        b.row(4, 7, 4)  # the leaf, l·d/h = 7, is whole; its repeat factor is not


def test_a_divisor_is_checked_and_the_quotient_exact():
    halves = sympy.Pow(sympy.Mul(2, n_heads, evaluate=False), -1, evaluate=False)  # 1 / (2·h), unexpanded
    p = compile_exprs([d_model / n_heads * l, d_model**2 / (2 * n_heads), sympy.Mul(d_model, halves, evaluate=False),
                       (l + d_model) ** 2],
                      order=[l, d_model, n_heads])
    assert p.symbols == (l, d_model, n_heads)
    assert p.function(3, 16, 4) == (12, 32, 2, 361)
    assert p.function(3, 12, 4) is None  # 12 / (2·4): not whole
    assert p.function(3, 12, 5) is None  # 36/5: not whole
    assert p.function(1, 10, 4) is None  # 10/4 and 100/8: not whole
    big = 2**53
    assert p.function(big, big, 2) == (big * big // 2, big * big // 4, big // 4, 4 * big * big)


def test_checks_are_checked_and_not_returned():
    p = compile_exprs([l], checks=[d_model / n_heads], order=[l, d_model, n_heads])
    assert p.function(5, 8, 4) == (5,)
    assert p.function(5, 8, 3) is None


def test_a_tree_is_compiled_at_its_second_evaluation():
    tree = node("T", [Node(name="a", value=2 * l * d_model, kind="matmul", role="ffn")])
    assert compiled.evaluate(tree, {l: 3, d_model: 5})["a"].value == 30
    assert id(tree) not in compiled._CACHE  # a one-off (flopdocs report) does not pay to compile
    assert compiled.evaluate(tree, {l: 4, d_model: 5})["a"].value == 40
    assert compiled._CACHE[id(tree)][1].program.function(4, 5) == (40,)


def test_an_unset_symbol_is_the_reference_error():
    cfg = next(c for c in models() if c.name == "Seed 512")
    tree = conventions.get("seed").build(cfg)
    dims = {s: v for s, v in cfg.dims.items() if s != l}
    with pytest.raises(ValueError) as ref:
        evaluate(tree, dims)
    with pytest.raises(ValueError) as got:
        compile_tree(tree).evaluate(dims)
    assert str(got.value) == str(ref.value)


def test_a_form_it_does_not_compile_is_evaluated_by_the_reference():
    tree = node("T", [Node(name="min", value=sympy.Min(l, d_model), kind="comparison", role="ffn"),
                      Node(name="inv", value=l * d_model / (l + d_model), kind="elementwise", role="ffn")])
    with pytest.raises(NotCompilable, match="Min"):
        compile_tree(tree)
    with pytest.raises(NotCompilable, match="a sum in a denominator"):
        compile_exprs([tree["inv"].value])
    assert compiled.compiled(tree) is None
    for _ in range(2):
        got = compiled.evaluate(tree, {l: 6, d_model: 3})  # 18/9: whole
        assert got == evaluate(tree, {l: 6, d_model: 3})
        assert (got["min"].value, got["inv"].value) == (3, 2)
        with pytest.raises(ValueError, match="'inv' evaluates to 15/8, not a whole number"):
            compiled.evaluate(tree, {l: 3, d_model: 5})


def test_breakdown_rows_are_the_reference_leaves():
    b = breakdown()
    assert b.keys == ("l", "d_model", "d_ff", "n_vocab", "n_layers", "n_heads")
    assert b.paths[0] == ("Embeddings", "X_word + X_pos")
    rng = random.Random(7)
    rows = []
    for _ in range(50):
        h = rng.randint(1, 64)
        rows.append((rng.randint(1, 1 << 17), h * rng.randint(1, 256), rng.randint(1, 1 << 16),
                     rng.randint(1, 1 << 18), rng.randint(1, 200), h))
    for values, got in zip(rows, b.rows(rows)):
        cfg = parse({"name": "r", **dict(zip(b.keys, values))}, "<r>")
        want = evaluate(conventions.get(conventions.DEFAULT).build(cfg), cfg.dims)
        assert got == tuple(n.value for _, n in leaves(want)) == b.of(cfg)
        assert [p for p, _ in leaves(want)] == list(b.paths)


@pytest.mark.parametrize("mode", ["forward", "training", "training-recompute"])
def test_a_structure_has_one_tree_per_mode_so_it_is_compiled_once(mode, monkeypatch):
    """Models of one structure share the symbolic tree of a mode (a training tree is not
    rebuilt per model): the first is evaluated by the reference, the second compiles the
    tree, the third runs the compiled form."""
    counted = {"compile": 0, "reference": 0}
    compile_tree, reference = compiled.compile_tree, compiled.reference_evaluate

    def count(name, f):
        def wrapped(*args, **kwargs):
            counted[name] += 1
            return f(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(compiled, "_CACHE", {})  # whatever other tests compiled
    monkeypatch.setattr(compiled, "_SEEN", {})
    monkeypatch.setattr(compiled, "compile_tree", count("compile", compile_tree))
    monkeypatch.setattr(compiled, "reference_evaluate", count("reference", reference))
    shape = {"n_heads": 4, "n_layers": 2, "l": 32, "n_vocab": 100, "d_ff": 256, "ffn": "swiglu"}
    found = [analyse(parse({"name": f"m{i}", **shape, "d_model": 64 * i}, f"m{i}"), "flopdocs", mode)
             for i in (1, 2, 3)]
    assert found[0].symbolic is found[1].symbolic is found[2].symbolic
    totals = [a.total for a in found]
    assert totals == sorted(set(totals))  # wider models, more FLOPs
    assert counted == {"compile": 1, "reference": 1}


def test_a_bool_is_refused_after_a_one_over_the_same_symbols():
    """Compiles over the same symbols share their conversions; ``True == 1`` as a key must
    not let a bool through as the cost 1."""
    assert compile_exprs([1, d_model]).function(5) == (1, 5)
    with pytest.raises(NotCompilable, match="a bool is not a cost: True"):
        compile_exprs([True, d_model])
