"""The Calculator page in a real browser (Debian's Chromium through Playwright).

One page session drives the page as a reader would (fields filled, the page's own
``input`` path, its generated programs loaded as ``<script>``) and reads what it shows:
every catalogue model, 20 random configs and 24 around T5's structures equal
``flopdocs report --format json`` digit for digit (total, per token, parameters, by role,
by kind, every leaf of the breakdown) and the grouped analysis equals the model pages'
(``grouped_default``); bad input gets a message beside its field (T5's bucket rules as
config.py words them) and no number; the address round-trips; a pasted Hugging Face
config.json reads as ``flopdocs import-hf`` reads it.
"""
from __future__ import annotations

import contextlib
import io
import json
import random
import re
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from browser import ARTIFACTS, PROBE, Watch, chromium, serve
from flopdocs.config import catalogue, hf
from flopdocs.cli.main import main as cli_main
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import parse
from flopdocs.errors import ConfigError
from flopdocs.config.keys import FFNS, NORMS, POSITIONS, T5_RELATIVE
from flopdocs.site.pages.calculator import structures
from flopdocs.structure.tree import leaves, slug

PHONE = {"width": 390, "height": 844}
FIXTURES = Path(__file__).parent / "fixtures" / "hf"
README_SHOT = Path(__file__).resolve().parents[1] / "screenshots" / "calculator.png"

#: Fill each case, wait for the page's count, read every number it shows.
READ = """async (cases) => {
  const calc = window.flopdocsCalculator;
  await calc.ready;
  const rows = (id) => [...document.querySelectorAll('#fd-calc-' + id + ' tr')]
    .filter((tr) => tr.dataset.path)
    .map((tr) => [JSON.parse(tr.dataset.path), tr.children[1].dataset.value, tr.children[1].textContent]);
  const out = [];
  for (const c of cases) {
    const result = await calc.fill(c.fields, c.model || '');
    const answers = {};
    document.querySelectorAll('#fd-calc [data-out]').forEach((e) => {
      answers[e.dataset.out] = [e.dataset.value || null, e.textContent];
    });
    const messages = {};
    document.querySelectorAll('#fd-calc [data-msg]').forEach((e) => {
      if (e.textContent) { messages[e.dataset.msg] = e.textContent; }
    });
    out.push({result, answers, messages, hash: location.hash,
              status: document.querySelector('#fd-calc-status').textContent,
              by_role: rows('by_role'), by_kind: rows('by_kind'), grouped: rows('grouped'),
              breakdown: rows('breakdown'), nan: document.body.innerText.includes('NaN')});
  }
  return out;
}"""


def _text(value) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def _report(model: str, sets: dict) -> dict:
    """``flopdocs report MODEL --set ... --format json``, run in-process."""
    argv = ["report", model, "--format", "json"] + [f"--set={k}={_text(v)}" for k, v in sets.items()]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(argv) == 0, argv
    return json.loads(out.getvalue())


def _flat(tree: dict, path=()) -> dict:
    out = {}
    for name, v in tree.items():
        out.update(_flat(v, path + (name,)) if isinstance(v, dict) else {path + (name,): v})
    return out


def _random_cases(n: int, seed: int = 11, keep=lambda cfg: True, changed: float = 0.5,
                  flipped: tuple[str, ...] = (), bases=None) -> list[dict]:
    """``n`` valid configs ``keep`` accepts, each a catalogue model (one of ``bases``, if
    given) with random dimensions and (with probability ``changed``) one architecture key
    changed (one of ``flipped``, if given); every one inside the page's grid."""
    rng = random.Random(seed)
    models = catalogue.models()
    grid = set(structures(SimpleNamespace(models=[SimpleNamespace(config=c) for c in models])))
    flips = {"ffn": FFNS, "norm": NORMS, "position": POSITIONS, "attn_bias": (True, False),
             "ffn_bias": (True, False), "tie_embeddings": (True, False)}
    flips = {k: v for k, v in flips.items() if k in flipped} if flipped else flips
    out = []
    while len(out) < n:
        base = rng.choice(bases or models)
        heads = rng.choice([1, 2, 4, 8, 16])
        length = rng.randint(1, 3000)
        sets = {"l": length, "n_heads": heads, "d_model": heads * rng.choice([8, 16, 24, 64]),
                "d_ff": rng.randint(1, 5000), "n_vocab": rng.randint(1, 60000),
                "n_layers": rng.randint(1, 40), "N": rng.randint(1, 5)}
        knobs = base.knobs
        if "n_kv_heads" in knobs:
            sets["n_kv_heads"] = rng.choice([d for d in (1, 2, 4, 8, 16) if heads % d == 0])
        if "d_head" in knobs:
            sets["d_head"] = rng.choice([rng.randint(1, 200), sets["d_model"] // heads])  # or implied
        if "max_positions" in knobs:
            sets["max_positions"] = length + rng.randint(0, 50)
        if "window" in knobs:
            sets["window"] = rng.randint(1, 2 * length)
        if "n_experts" in knobs:
            sets["n_experts"] = rng.randint(1, 12)
            sets["experts_per_token"] = rng.randint(1, sets["n_experts"])
        if "relative_buckets" in knobs:
            sets["relative_buckets"] = rng.randint(4, 64)
        for key in ("l_src", "l_tgt", "n_encoder_layers", "n_decoder_layers"):
            if key in knobs:
                sets[key] = rng.randint(1, 600)
        if rng.random() < changed:
            key = rng.choice(sorted(flips))
            sets[key] = rng.choice(flips[key])
        data = base.as_data()
        if sets.get("position", T5_RELATIVE) != T5_RELATIVE:  # T5 moved off its position: no buckets
            data.pop("relative_buckets", None)
            sets.pop("relative_buckets", None)
        try:
            cfg = parse({**data, **sets}, "random")
        except Exception:  # a combination flopdocs refuses (e.g. a tie without an LM head)
            continue
        if cfg.arch not in grid or not keep(cfg):
            continue
        fields = {k: _text(v) for k, v in cfg.echo().items()}
        with tempfile.TemporaryDirectory() as tmp:  # report reads the config as given
            path = Path(tmp) / "random.yaml"
            path.write_text(hf.to_yaml({**data, **sets}), encoding="utf-8")
            report = _report(str(path), {})
        out.append({"name": f"{slug(base.name)} {sets}", "model": "", "fields": fields,
                    "report": report, "config": cfg})
    return out


def _catalogue_cases() -> list[dict]:
    return [{"name": slug(c.name), "model": slug(c.name), "fields": {k: _text(v) for k, v in c.echo().items()},
             "report": _report(slug(c.name), {}), "config": c} for c in catalogue.models()]


def _problems(case: dict, shown: dict) -> list[str]:
    """Where the page differs from the report (digit strings compared)."""
    rep, out = case["report"], []
    want = {"total": rep["total"], "per_token": rep["per_token"],
            **{f"params.{k}": v for k, v in rep["params"].items()}}
    got = {k: v[0] for k, v in shown["answers"].items()}
    if got != {k: str(v) for k, v in want.items()}:
        out.append(f"answers {got} != {want}")
    for part in ("by_role", "by_kind"):
        if {p[0]: v for p, v, _ in shown[part]} != {k: str(v) for k, v in rep[part].items()}:
            out.append(f"{part} differs")
    if {tuple(p): v for p, v, _ in shown["breakdown"]} != {p: str(v) for p, v in _flat(rep["breakdown"]).items()}:
        out.append("breakdown differs")
    grouped = analyse(case["config"]).grouped_default
    if {tuple(p): v for p, v, _ in shown["grouped"]} != {p: str(n.value) for p, n in leaves(grouped)}:
        out.append("grouped analysis differs")
    for part in ("by_role", "by_kind", "breakdown", "grouped"):
        if any(text.replace(",", "") != v for _, v, text in shown[part]):
            out.append(f"{part}: a shown number is not its value")
    if any(text.replace(",", "") != v for v, text in shown["answers"].values()) or shown["nan"]:
        out.append("a shown answer is not its value")
    if shown["status"] or shown["messages"]:
        out.append(f"messages: {shown['status']!r} {shown['messages']}")
    return [f"{case['name']}: {p}" for p in out]


@pytest.fixture(scope="module")
def page(site):
    with chromium() as browser, serve(site) as base:
        context = browser.new_context(viewport=PHONE)
        p = context.new_page()
        watch = Watch(p, base)
        p.goto(base + "calculator.html", wait_until="load")
        p.wait_for_function("window.flopdocsCalculator && window.flopdocsCalculator.ready")
        p.evaluate("() => window.flopdocsCalculator.ready")
        yield SimpleNamespace(page=p, base=base, watch=watch, browser=browser)
        context.close()


def test_every_catalogue_model_and_20_random_configs_equal_the_report(page):
    cases = _catalogue_cases() + _random_cases(20)
    assert len(cases) == len(catalogue.models()) + 20
    shown = page.page.evaluate(READ, [{"fields": c["fields"], "model": c["model"]} for c in cases])
    problems = [p for c, s in zip(cases, shown) for p in _problems(c, s)]
    assert not problems, "\n".join(problems[:10])
    assert not page.watch.take()
    width = page.page.evaluate(PROBE)["width"]
    assert width <= PHONE["width"], f"{width} px wide on a phone"
    # the answer is on the first screen of a phone: above the dimensions and keys
    top = page.page.evaluate("document.querySelector('.fd-calc-answers').getBoundingClientRect().top + scrollY")
    assert top < PHONE["height"], f"the answers start {top} px down"


def test_t5_structures_in_the_grid_equal_the_report(page):
    """T5's structures and their neighbours: T5 with one key changed, and other models with
    position t5-relative (the buckets then T5's default, 32, unless given)."""
    t5 = [m for m in catalogue.models() if m.arch.t5_bias]
    # (seed 14: a draw whose configs span the three architectures in the grown catalogue)
    cases = (_random_cases(12, seed=7, changed=0.9, bases=t5,
                           flipped=("position", "ffn", "tie_embeddings", "attn_bias", "norm"))
             + _random_cases(12, seed=14, changed=1, flipped=("position",), keep=lambda c: c.arch.t5_bias))
    assert len(t5) >= 2 and sum(c["config"].arch.t5_bias for c in cases) >= 12
    assert any(not c["config"].arch.t5_bias and c["name"].startswith("t5-") for c in cases)  # T5 moved off
    assert {c["config"].arch.architecture for c in cases} == {"decoder", "encoder", "encoder-decoder"}
    shown = page.page.evaluate(READ, [{"fields": c["fields"], "model": c["model"]} for c in cases])
    problems = [p for c, s in zip(cases, shown) for p in _problems(c, s)]
    assert not problems, "\n".join(problems[:10])


def test_bad_input_is_named_beside_its_field_and_nothing_is_counted(page):
    seed = {k: _text(v) for k, v in catalogue.find("llama-3-8b").echo().items()}
    bad = [({"d_model": "4096.5"}, "d_model", "must be a whole number, got '4096.5'"),
           ({"l": "0"}, "l", "must be at least 1, got 0"),
           ({"n_layers": "-3"}, "n_layers", "must be at least 1, got -3"),
           ({"n_vocab": "9007199254740993"}, "n_vocab", "must be at most 2**53"),
           ({"d_model": "4001"}, "d_model", "4001 is not divisible by n_heads=32"),
           ({"n_kv_heads": "5"}, "n_kv_heads", "5 must divide n_heads=32"),
           ({"n_experts": "8"}, "experts_per_token", "missing: required with n_experts"),
           ({"l_src": "10"}, "l_src", "only applies to architecture encoder-decoder"),
           ({"ffn": "<b>x</b>"}, "ffn", "must be one of relu, gelu, swiglu, geglu, got '<b>x</b>'"),
           ({"n_heads": ""}, "n_heads", "missing required key")]
    cases = [{"fields": {k: v for k, v in {**seed, **change}.items() if v != ""}} for change, _, _ in bad]
    shown = page.page.evaluate(READ, cases)
    for (change, key, text), s in zip(bad, shown):
        assert text in s["messages"].get(key, ""), (change, s["messages"])
        assert all(v is None and t == "–" for v, t in s["answers"].values()), change
        assert not s["breakdown"] and not s["nan"], change
    assert page.page.evaluate("document.querySelectorAll('#fd-calc b').length") == 0  # text, not HTML


def test_t5s_bucket_rules_are_named_beside_the_field_as_flopdocs_says_them(page):
    """relative_buckets: only with t5-relative, at least 4; absent, T5's 32 (the page's
    default rule, counted as the report counts it). Each message is config.py's reason."""
    t5 = catalogue.find("t5-base")
    seed = {k: _text(v) for k, v in t5.echo().items()}
    bad = [({"relative_buckets": "3"}, "3 is fewer than 4"),
           ({"position": "rope"}, "only applies to position t5-relative (T5's bias table), not rope"),
           ({"position": "rope", "relative_buckets": "2"}, "only applies to position t5-relative")]
    shown = page.page.evaluate(READ, [{"fields": {**seed, **change}} for change, _ in bad])
    for (change, text), s in zip(bad, shown):
        with pytest.raises(ConfigError) as e:
            t5.with_values({k: int(v) if v.isdigit() else v for k, v in change.items()}, "x")
        assert e.value.field == "relative_buckets" and text in e.value.reason, change
        assert s["messages"] == {"relative_buckets": e.value.reason}, change  # one message, beside it
        assert all(v is None for v, _ in s["answers"].values()), change
    llama = {k: _text(v) for k, v in catalogue.find("llama-3-8b").echo().items()}
    s, = page.page.evaluate(READ, [{"fields": {**llama, "relative_buckets": "32"}}])
    assert s["messages"] == {"relative_buckets": "only applies to position t5-relative (T5's bias table), not rope"}
    # absent with t5-relative: 32 buckets, as flopdocs report --set relative_buckets unset says
    fields = {k: v for k, v in seed.items() if k != "relative_buckets"}
    s, = page.page.evaluate(READ, [{"fields": fields}])
    assert s["answers"]["params.total"][0] == str(_report("t5-base", {})["params"]["total"]) == "222903552"
    s, = page.page.evaluate(READ, [{"fields": {**seed, "relative_buckets": "40"}}])
    # 8 more rows in each stack's 12-head table: 2 stacks × 8 × 12 = 192 parameters more
    assert int(s["answers"]["params.total"][0]) == 222903552 + 192
    assert s["answers"]["total"][0] == str(_report("t5-base", {"relative_buckets": 40})["total"])


def test_a_structure_outside_the_grid_names_the_command(page):
    # encoder-decoder with experts, gated FFN and RMSNorm: no catalogue model is within one key
    fields = {"l": "64", "d_model": "64", "d_ff": "128", "n_vocab": "100", "n_layers": "2", "n_heads": "4",
              "architecture": "encoder-decoder", "ffn": "swiglu", "norm": "rmsnorm", "position": "alibi",
              "n_experts": "4", "experts_per_token": "2", "token_types": "2"}
    s, = page.page.evaluate(READ, [{"fields": fields}])
    assert "not compiled" in s["messages"]["architecture"]
    assert "flopdocs report seed-512 --set l=64" in s["status"] and "--set n_experts=4" in s["status"]
    assert all(v is None for v, _ in s["answers"].values()) and not s["nan"]


def test_the_address_restores_the_config(page):
    cfg = catalogue.find("mixtral-8x7b")
    fields = {**{k: _text(v) for k, v in cfg.echo().items()}, "l": "1000", "window": "512"}
    s, = page.page.evaluate(READ, [{"fields": fields}])
    assert "l=1000" in s["hash"] and "window=512" in s["hash"]
    second = page.browser.new_page(viewport=PHONE)
    second.goto(page.base + "calculator.html" + s["hash"], wait_until="load")
    second.wait_for_function("window.flopdocsCalculator && window.flopdocsCalculator.ready")
    second.evaluate("() => window.flopdocsCalculator.ready.then(() => window.flopdocsCalculator.settled())")
    assert second.evaluate("window.flopdocsCalculator.fields()") == fields
    assert second.evaluate("document.querySelector('[data-out=total]').dataset.value") == s["answers"]["total"][0]
    second.close()
    want = _report("mixtral-8x7b", {"l": 1000, "window": 512})
    assert s["answers"]["total"][0] == str(want["total"])


def test_the_address_restores_the_config_from_disk(site, page):
    url = site.resolve().as_uri() + "/calculator.html#model=gpt-2-small&l=1024&d_model=768&d_ff=3072&n_vocab=50257" \
          "&n_layers=12&n_heads=12&N=3&attn_bias=true&tie_embeddings=true&ffn=gelu&max_positions=1024"
    p = page.browser.new_page()
    watch = Watch(p, site.resolve().as_uri() + "/")
    p.goto(url, wait_until="load")
    p.wait_for_function("window.flopdocsCalculator && window.flopdocsCalculator.ready")
    p.evaluate("() => window.flopdocsCalculator.ready.then(() => window.flopdocsCalculator.settled())")
    assert p.evaluate("document.querySelector('#fd-calc-model').value") == "gpt-2-small"
    want = _report("gpt-2-small", {"N": 3})
    assert p.evaluate("document.querySelector('[data-out=total]').dataset.value") == str(want["total"])
    assert not watch.take()
    p.close()


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_a_pasted_config_json_reads_as_import_hf(page, name):
    path = FIXTURES / name / "config.json"
    want = {k: _text(v) for k, v in hf.to_data(json.loads(path.read_text()), str(path)).items()
            if k not in ("name", "source")}
    got = page.page.evaluate("(text) => window.flopdocsCalculator.fromHf(JSON.parse(text))", path.read_text())
    assert got == want


def test_a_bad_config_json_is_named_beside_the_box(page):
    p = page.page
    t5 = json.loads((FIXTURES / "t5-base" / "config.json").read_text())
    for text, message in (("{not json", "not JSON"),
                          ('{"model_type": "mamba"}', "model_type: \"mamba\" is not supported"),
                          ('{"model_type": "llama", "hidden_size": 8}', "missing"),
                          ('{"model_type": "t5", "d_model": 8}', "d_ff: missing"),
                          (json.dumps({**t5, "feed_forward_proj": "gated-swish"}),
                           "feed_forward_proj: gated-swish is not supported (relu, gelu, gelu_new, gated-gelu,"),
                          (json.dumps({**t5, "is_decoder": True}), "is_decoder: a T5 stack alone is not modelled"),
                          (json.dumps({**t5, "is_encoder_decoder": False}),
                           "T5EncoderModel (is_encoder_decoder: false) is not modelled")):
        if text.startswith("{\""):  # flopdocs import-hf refuses it too, naming the same field
            with pytest.raises(ConfigError, match=re.escape(message.split(":")[0])):
                hf.to_data(json.loads(text), "config.json")
        p.evaluate("(t) => { document.querySelector('#fd-calc-hf').value = t; }", text)
        p.evaluate("() => window.flopdocsCalculator.readHf()")
        assert message in p.evaluate("document.querySelector('#fd-calc-msg-hf').textContent"), text
    # a type import-hf reads and the page does not: named, and where it is read
    p.evaluate("(t) => { document.querySelector('#fd-calc-hf').value = t; }", '{"model_type": "deepseek_v3"}')
    p.evaluate("() => window.flopdocsCalculator.readHf()")
    assert "flopdocs import-hf reads more" in p.evaluate("document.querySelector('#fd-calc-msg-hf').textContent")


def test_screenshots_of_the_calculator(page):
    """The calculator as test artifacts: the whole page on a phone, and the README's view
    (its fields and answers, at 1000 px; ``screenshots/calculator.png`` is a copy of it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    fields = {k: _text(v) for k, v in catalogue.find("mixtral-8x7b").echo().items()}
    page.page.evaluate(READ, [{"fields": fields, "model": "mixtral-8x7b"}])
    page.page.screenshot(path=str(ARTIFACTS / "calculator.png"), full_page=True)
    wide = page.browser.new_page(viewport={"width": 1000, "height": 900})
    wide.goto(page.page.url, wait_until="load")
    wide.wait_for_function("window.flopdocsCalculator && window.flopdocsCalculator.ready")
    wide.evaluate("() => window.flopdocsCalculator.ready.then(() => window.flopdocsCalculator.settled())")
    top = wide.evaluate("document.querySelector('article h1').getBoundingClientRect().top + scrollY")
    end = wide.evaluate("document.querySelector('.fd-calc-form').getBoundingClientRect().bottom + scrollY")
    box = wide.evaluate("(() => { const r = document.querySelector('article').getBoundingClientRect();"
                        " return {x: r.left, width: r.width}; })()")
    wide.screenshot(path=str(ARTIFACTS / "calculator-readme.png"), full_page=True,
                    clip={"x": box["x"], "y": top - 16, "width": box["width"], "height": end - top + 32})
    wide.close()
    for name in ("calculator.png", "calculator-readme.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
    assert README_SHOT.stat().st_size > 10_000


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_reached_by_a_link_it_counts(site, page, scheme):
    """From a model page by the navigation (Material's instant navigation swaps the page in
    place over http), in the dark palette: the calculator starts and counts."""
    base = page.base if scheme == "http" else site.resolve().as_uri() + "/"
    context = page.browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    p = context.new_page()
    watch = Watch(p, base)
    p.goto(base + "models/gpt-2-small.html", wait_until="load")
    p.click("a.md-tabs__link[href$='calculator.html'], nav a[href$='calculator.html']")
    p.wait_for_url("**/calculator.html*")
    p.wait_for_function("window.flopdocsCalculator && window.flopdocsCalculator.ready")
    p.evaluate("() => window.flopdocsCalculator.ready.then(() => window.flopdocsCalculator.settled())")
    p.wait_for_function("document.querySelector('[data-out=total]').dataset.value !== undefined")
    assert p.evaluate("document.querySelector('[data-out=total]').dataset.value") == \
        str(_report("llama-3-8b", {})["total"])  # the page's starting model
    assert p.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert not watch.take()
    context.close()
