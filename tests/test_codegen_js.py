"""The JavaScript printer of the compiled form: its text, its grammar, and its values in a
real browser equal to the Python function printed from the same :class:`Code`."""
from __future__ import annotations

import random
from fractions import Fraction
from types import SimpleNamespace

import pytest

from browser import chromium
from flopdocs.config import catalogue
from flopdocs.compile.codegen import compile_exprs, generate, python, ratio, straight_line
from flopdocs.compile.codegen_js import check_javascript, javascript
from flopdocs.counting.rows import Counting, every_leaf
from flopdocs.config.keys import BY_NAME
from flopdocs.site.pages import calculator
from flopdocs.config.symbols import d_model, l, n_heads


def test_one_form_two_printers():
    # (l·d² + 3·l) / (2·h): the Python and JavaScript texts of the same steps
    code = compile_exprs([(l * d_model**2 + 3 * l) / (2 * n_heads), 7], order=[l, d_model, n_heads]).code
    assert python(code) == generate(*_ratios((l * d_model**2 + 3 * l) / (2 * n_heads), 7)) == (
        "def f(x0, x1, x2):\n"
        "    m1 = x1 * x1\n"
        "    m2 = x0 * m1\n"
        "    p3 = 3 * x0 + m2\n"
        "    p4 = 2 * x2\n"
        "    q5, r6 = divmod(p3, p4)\n"
        "    if r6:\n"
        "        return None\n"
        "    return (q5, 7)\n")
    assert javascript(code) == (
        "function (x0, x1, x2) {\n"
        "  const m1 = x1 * x1;\n"
        "  const m2 = x0 * m1;\n"
        "  const p3 = 3n * x0 + m2;\n"
        "  const p4 = 2n * x2;\n"
        "  const q5 = p3 / p4, r6 = p3 % p4;\n"
        "  if (r6 !== 0n) return null;\n"
        "  return [q5, 7n];\n"
        "}")


def _ratios(*exprs):
    from flopdocs.compile.polynomials import Converter

    conv = Converter([l, d_model, n_heads])
    return [ratio(conv(e), 3) for e in exprs], [], 3


def test_negative_terms_and_constants_print_as_bigint():
    code = straight_line([ratio({(2,): Fraction(1), (0,): Fraction(-5)}, 1), ratio({}, 1)], [], 1)
    assert javascript(code) == "function (x0) {\n  const m1 = x0 * x0;\n  const p2 = -5n + m1;\n  return [p2, 0n];\n}"


@pytest.mark.parametrize("bad", [
    "function (x0) {\n  return [x0.constructor];\n}",
    "function (x0) {\n  const p1 = x0 ** 99n;\n  return [p1];\n}",
    "function (x0) {\n  alert(1);\n  return [x0];\n}",
    "function (x0) {\n  const m1 = x0 * window;\n  return [m1];\n}",
    "function (x0) {\n  return ['x'];\n}",
])
def test_a_line_outside_the_grammar_is_refused(bad):
    with pytest.raises(ValueError, match="unexpected line"):
        check_javascript(bad)


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        p = browser.new_page()
        yield p


def _catalogue_programs():
    archs = list(dict.fromkeys(c.arch for c in catalogue.models()))
    return [every_leaf(Counting(), a) for a in archs]


def test_the_browser_computes_what_python_computes(page):
    """Every catalogue structure's program, printed both ways, on 30 random configs each
    (some inexact: d_model not divisible by n_heads gives None in Python, null in JS)."""
    rng = random.Random(5)
    cases = []
    for s in _catalogue_programs():
        for _ in range(30):
            args = [rng.randint(1, 10**rng.randint(1, 6)) for _ in s.keys]
            want = s.program.function(*args)
            cases.append({"source": javascript(s.program.code), "args": [str(a) for a in args],
                          "want": None if want is None else [str(v) for v in want]})
    assert any(c["want"] is None for c in cases) and any(c["want"] is not None for c in cases)
    got = page.evaluate("""(cases) => cases.map((c) => {
        const f = new Function('return ' + c.source)();
        const out = f(...c.args.map(BigInt));
        return out === null ? null : out.map(String);
    })""", cases)
    assert got == [c["want"] for c in cases]


def test_past_2_to_the_53_the_browser_stays_exact(page):
    s = _catalogue_programs()[0]
    args = [2**40 + 7 * i for i in range(len(s.keys))]
    want = s.program.function(*args)
    got = page.evaluate("([src, args]) => { const o = new Function('return ' + src)()(...args.map(BigInt));"
                        " return o === null ? null : o.map(String); }",
                        [javascript(s.program.code), [str(a) for a in args]])
    assert want is not None and max(want) > 2**100
    assert got == [str(v) for v in want]


def test_the_grid_holds_every_catalogue_structure_and_its_neighbours():
    data = SimpleNamespace(models=[SimpleNamespace(config=c) for c in catalogue.models()])
    grid = calculator.structures(data)
    assert all(c.arch in grid for c in catalogue.models())
    assert len(grid) == len(set(grid)) and all(calculator.reachable(a) for a in grid)
    seed = catalogue.find("seed-512").arch
    import dataclasses
    assert dataclasses.replace(seed, ffn="swiglu") in grid  # one key away
    assert dataclasses.replace(seed, ffn="swiglu", norm="rmsnorm", position="alibi", moe=True,
                               architecture="encoder-decoder") not in grid  # five away
    # the masked-LM transform without an LM head is no config's structure
    assert not calculator.reachable(dataclasses.replace(seed, lm_head=False, lm_head_transform=True))


def test_the_keys_the_page_reads_are_the_declared_ones():
    """The page's key data is KEYS' (types, choices, Hugging Face fields), not a copy."""
    keys = {k["name"]: k for k in (calculator._key_data(k) for k in BY_NAME.values())}
    assert keys["n_kv_heads"]["hf"] == {"llama": ["num_key_value_heads"]}
    assert keys["ffn"]["choices"] == list(BY_NAME["ffn"].choices)
    assert keys["N"]["default"] == 1 and not keys["N"]["derived"]
    assert keys["d_head"]["derived"] and keys["d_head"]["default"] is None
