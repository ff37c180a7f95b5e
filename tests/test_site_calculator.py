"""The Calculator page in a real browser (Debian's Chromium through Playwright).

One page session drives the page as a reader would (fields filled, the page's own
``input`` path, its generated programs loaded as ``<script>``) and reads what it shows:
every catalogue model, 20 random configs and 24 around T5's structures equal
``flopdocs report --format json`` digit for digit (total, per token, parameters, by role,
by kind, every leaf of the breakdown) and the grouped analysis equals the model pages'
(``grouped_default``); bad input gets a message beside its field (T5's bucket rules as
config.py words them) and no number; the address round-trips; a pasted Hugging Face
config.json reads as ``flopdocs import-hf`` reads it; the memory block, its per-device split
and the fit equal ``report --format json``'s "memory" and "memory_per_device" and
``flopdocs fit``'s numbers (:func:`flopdocs.counting.timing.fit`).
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
    const memory = {};
    for (const attr of ['mem', 'memDevice', 'fit']) {
      memory[attr] = {};
      const name = attr.replace(/[A-Z]/g, (x) => '-' + x.toLowerCase());
      document.querySelectorAll('#fd-calc [data-' + name + ']').forEach((e) => {
        memory[attr][e.dataset[attr]] = e.dataset.value === undefined ? null : e.dataset.value;
      });
    }
    out.push({result, answers, messages, memory, hash: location.hash,
              memory_note: document.querySelector('#fd-calc-memory-note').textContent,
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
    from flopdocs.site.pages.calculator import older_family

    rng = random.Random(seed)
    grid = set(structures(SimpleNamespace(models=[SimpleNamespace(config=c) for c in catalogue.models()])))
    # the older families' (the pieces are theirs; a neighbour of the 2026 zoo's names the command)
    models = [c for c in catalogue.models() if older_family(c.arch)]
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
    # (seed 16: a draw whose configs span the three architectures in the grown catalogue)
    cases = (_random_cases(12, seed=7, changed=0.9, bases=t5,
                           flipped=("position", "ffn", "tie_embeddings", "attn_bias", "norm"))
             + _random_cases(12, seed=16, changed=1, flipped=("position",), keep=lambda c: c.arch.t5_bias))
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


def test_a_structure_neither_compiled_nor_put_together_names_the_command(page):
    """Attention with ALiBi, grouped-query heads, an explicit head width, a window and a bias
    on W_O only: three fields from the nearest catalogue attention (Mistral's), so no
    structure the page read its pieces from has that attention: the command, no number."""
    fields = {"l": "64", "d_model": "64", "d_ff": "128", "n_vocab": "100", "n_layers": "2", "n_heads": "4",
              "n_kv_heads": "2", "d_head": "8", "window": "16", "position": "alibi",
              "attn_bias": "false", "attn_out_bias": "true"}
    s, = page.page.evaluate(READ, [{"fields": fields}])
    assert "not compiled" in s["messages"]["architecture"]
    assert "flopdocs report seed-512 --set l=64" in s["status"] and "--set window=16" in s["status"]
    assert all(v is None for v, _ in s["answers"].values()) and not s["nan"]


def test_a_structure_off_the_grid_is_put_together_from_pieces_and_equals_the_report(page):
    """An encoder-decoder with experts, a gated FFN, RMSNorm and ALiBi: no catalogue model
    is within one key, so the page has no program of its own for it; its pieces give every
    figure ``flopdocs report`` gives."""
    data = {"name": "far", "l": 64, "d_model": 64, "d_ff": 128, "n_vocab": 100, "n_layers": 2, "n_heads": 4,
            "architecture": "encoder-decoder", "ffn": "swiglu", "norm": "rmsnorm", "position": "alibi",
            "n_experts": 4, "experts_per_token": 2}
    cfg = parse(data, "far")
    assert cfg.arch not in set(structures(SimpleNamespace(models=[SimpleNamespace(config=c) for c in catalogue.models()])))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "far.yaml"
        path.write_text(hf.to_yaml(data), encoding="utf-8")
        report = _report(str(path), {})
    case = {"name": "far", "fields": {k: _text(v) for k, v in cfg.echo().items()}, "report": report, "config": cfg}
    s, = page.page.evaluate(READ, [{"fields": case["fields"]}])
    assert s["result"]["pieces"] is True
    problems = [p for p in _problems(case, s) if "grouped" not in p]  # grouped: the grid's programs only
    assert not problems, problems


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


# -- every convention and mode, configs two and three keys from a catalogue model ------------

#: Fill each case (fields and options), wait for the count, read every number it shows.
READ_OPTIONS = READ.replace("await calc.fill(c.fields, c.model || '')",
                            "await calc.fill(c.fields, c.model || '', c.options || {})")
_CONVENTIONS = ("flopdocs", "seed", "kaplan", "chinchilla", "palm", "megatron", "6N")
_MODES = ("forward", "training", "training-recompute", "prefill", "decode", "generate")


def _report_or_reason(path: str, options: dict) -> dict | str:
    """``flopdocs report PATH --format json`` with the options as flags, or its one-line
    error (exit status 2)."""
    argv = ["report", path, "--format", "json"] + [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli_main(argv)
        except SystemExit as e:
            status = e.code
    return json.loads(out.getvalue()) if status == 0 else err.getvalue().strip() or f"exit {status}"


def _far_cases(n: int, seed: int, more=lambda rng, cfg: {}) -> list[dict]:
    """``n`` configs two or three keys from a catalogue model (dimensions and architecture
    keys alike), each with a random convention and mode and the mode's numbers (and the
    options ``more`` draws)."""
    from flopdocs.site.pages.calculator import older_family

    rng = random.Random(seed)
    grid = set(structures(SimpleNamespace(models=[SimpleNamespace(config=c) for c in catalogue.models()])))
    # the older families' (the pieces are theirs; a neighbour of the 2026 zoo's names the command)
    models = [c for c in catalogue.models() if older_family(c.arch)]
    changes = {
        "l": lambda: rng.randint(1, 4096), "d_model": lambda: rng.choice([64, 96, 128, 256, 512]),
        "n_heads": lambda: rng.choice([1, 2, 4, 8]), "d_ff": lambda: rng.randint(1, 3000),
        "n_layers": lambda: rng.randint(1, 48), "n_vocab": lambda: rng.randint(1, 70000),
        "N": lambda: rng.randint(1, 4), "window": lambda: rng.randint(1, 3000),
        "ffn": lambda: rng.choice(FFNS), "norm": lambda: rng.choice(NORMS),
        "position": lambda: rng.choice(POSITIONS), "attn_bias": lambda: rng.random() < 0.5,
        "ffn_bias": lambda: rng.random() < 0.5, "tie_embeddings": lambda: rng.random() < 0.5,
    }
    out, tries = [], 0
    while len(out) < n:
        tries += 1
        assert tries < 50 * n, "too few configs flopdocs accepts"
        base = rng.choice(models)
        sets = {k: changes[k]() for k in rng.sample(sorted(changes), rng.choice([2, 3]))}
        if "d_model" in sets or "n_heads" in sets:  # keep d_model divisible unless d_head is given
            sets["d_model"] = sets.get("d_model", 64) * sets.get("n_heads", base["n_heads"])
        data = {**base.as_data(), **sets}
        if data.get("position") != T5_RELATIVE:
            data.pop("relative_buckets", None)
        try:
            cfg = parse(data, "far")
        except Exception:
            continue
        options = {"convention": rng.choice(_CONVENTIONS), "mode": rng.choice(_MODES)}
        if options["mode"] == "training-recompute":
            options["recompute"] = rng.choice(["full", "selective"])
        if options["mode"] in ("prefill", "generate") and rng.random() < 0.7:
            options["prompt"] = rng.randint(1, 2 * cfg["l"])
        if options["mode"] == "decode" and rng.random() < 0.7:
            options["context"] = rng.randint(0, 2 * cfg["l"])
        if options["mode"] == "generate":
            options["generate"] = rng.randint(1, 3000)
        options.update(more(rng, cfg))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "far.yaml"
            path.write_text(hf.to_yaml(data), encoding="utf-8")
            report = _report_or_reason(str(path), options)
        out.append({"name": f"{slug(base.name)} {sets} {options}", "model": "", "config": cfg,
                    "fields": {k: _text(v) for k, v in cfg.echo().items()},
                    "options": {k: str(v) for k, v in options.items()}, "report": report,
                    "in_grid": _in_grid(cfg, options, grid)})
    return out


def _in_grid(cfg, options: dict, grid: set) -> bool:
    """Whether the page holds every program this count needs: the structure of each tree
    the mode evaluates (a prefill's windows are its prompt's, a decode step's the window's:
    :meth:`Counting.structure`); a closed form reads only the parameters."""
    from flopdocs import conventions
    from flopdocs.counting.modes import Options
    from flopdocs.counting.rows import Counting

    conv = conventions.get(options["convention"])
    if not conventions.is_tree(conv):  # the parameters, and the closed form compiled for the architecture
        from flopdocs.site.pages.calculator_forms import closed_form
        return cfg.arch in grid and closed_form(conv, cfg.is_encoder_decoder) is not None
    if options["mode"] not in ("prefill", "decode", "generate"):
        return cfg.arch in grid
    o = Options(prompt=options.get("prompt"), context=options.get("context"), generate=options.get("generate"))
    found = Counting(options["convention"], options["mode"], o).structure(cfg)
    return cfg.arch in grid and all(a in grid for a in (found if isinstance(found, tuple) else (found,)))


def _mode_problems(case: dict, shown: dict) -> list[str]:
    rep, out = case["report"], []
    numbers = {k: v[0] for k, v in shown["answers"].items()}
    if isinstance(rep, str):  # flopdocs refuses it: the page shows no number, and says why
        if any(v is not None for v in numbers.values()):
            out.append(f"a number where flopdocs refuses ({rep})")
        if not (shown["status"] or shown["messages"]):
            out.append(f"no message where flopdocs refuses ({rep})")
        return [f"{case['name']}: {p}" for p in out]
    if not any(v is not None for v in numbers.values()):
        if case["in_grid"] or "not compiled" not in shown["status"].lower():
            out.append(f"no number: {shown['status']!r} {shown['messages']}")
        return [f"{case['name']}: {p}" for p in out]
    want = {"total": rep["total"], "per_token": rep["per_token"],
            **{f"params.{k}": v for k, v in rep["params"].items()}}
    if numbers != {k: str(v) for k, v in want.items()}:
        out.append(f"answers {numbers} != {want}")
    for part in ("by_role", "by_kind"):
        if {p[0]: v for p, v, _ in shown[part]} != {k: str(v) for k, v in (rep[part] or {}).items()}:
            out.append(f"{part} differs")
    if {tuple(p): v for p, v, _ in shown["breakdown"]} != {p: str(v) for p, v in _flat(rep["breakdown"]).items()}:
        out.append("breakdown differs")
    if shown["nan"]:
        out.append("NaN shown")
    return [f"{case['name']}: {p}" for p in out]


def test_every_convention_and_mode_two_and_three_keys_away_equals_the_report(page):
    """60 configs two or three keys from a catalogue model, each under a random convention
    and mode (with its prompt, context, steps, recomputation): every figure the page shows
    equals ``flopdocs report --format json``; where flopdocs refuses, the page shows no
    number and says why."""
    cases = _far_cases(60, seed=5)
    counted = [c for c in cases if not isinstance(c["report"], str)]
    assert len(counted) >= 30 and {c["options"]["mode"] for c in counted} == set(_MODES)
    assert {c["options"]["convention"] for c in counted} == set(_CONVENTIONS)
    shown = page.page.evaluate(READ_OPTIONS, [{"fields": c["fields"], "options": c["options"]} for c in cases])
    problems = [p for c, s in zip(cases, shown) for p in _mode_problems(c, s)]
    assert not problems, "\n".join(problems[:10])
    answered = sum(s["answers"]["total"][0] is not None for s in shown)
    assert answered >= 30, answered


def test_the_address_holds_mode_convention_tokens_and_devices(page):
    """``#model=llama-2-7b&mode=training&convention=6N&tokens=2e12``: the model's fields
    filled, 6N's training count, the compute of 2·10¹² tokens and its time on 512 H100s at
    40 % MFU."""
    p = page.page
    p.evaluate("(h) => window.flopdocsCalculator.open(h)",
               "model=llama-2-7b&mode=training&convention=6N&tokens=2e12&accelerator=h100-sxm&devices=512&mfu=40")
    cfg = catalogue.find("llama-2-7b")
    assert p.evaluate("window.flopdocsCalculator.fields()") == {k: _text(v) for k, v in cfg.echo().items()}
    assert p.evaluate("document.querySelector('#fd-calc-model').value") == "llama-2-7b"
    want = _report_or_reason("llama-2-7b", {"convention": "6N", "mode": "training"})
    assert p.evaluate("document.querySelector('[data-out=total]').dataset.value") == str(want["total"])
    # 6N: 6 FLOPs per parameter per token, 6 × 6,738,415,616 × 2·10¹² exactly
    flops = int(p.evaluate("document.querySelector('[data-run=flops]').dataset.value"))
    assert flops == 6 * 6_738_415_616 * 2 * 10**12 == 80_860_987_392 * 10**12
    seconds = float(p.evaluate("document.querySelector('[data-run=seconds]').dataset.value"))
    assert seconds == pytest.approx(flops / (512 * 989e12 * 0.40), rel=1e-9)  # 4.62 days
    assert "4.62 days" in p.evaluate("document.querySelector('[data-run=time]').textContent")
    hours = float(p.evaluate("document.querySelector('[data-run=device_hours]').dataset.value"))
    assert hours == pytest.approx(seconds * 512 / 3600, rel=1e-9)


def test_an_unknown_model_says_so_and_shows_no_number(page):
    p = page.page
    p.evaluate("(h) => window.flopdocsCalculator.open(h)", "model=llama-2-7b")
    assert p.evaluate("document.querySelector('[data-out=total]').dataset.value") is not None
    p.evaluate("(h) => window.flopdocsCalculator.open(h)", "model=no-such-model")
    assert "no-such-model" in p.evaluate("document.querySelector('#fd-calc-status').textContent")
    assert p.evaluate("document.querySelector('[data-out=total]').dataset.value") is None
    assert p.evaluate("document.querySelectorAll('#fd-calc-breakdown tr').length") == 0


def test_a_bad_paste_leaves_no_number_on_screen(page):
    p = page.page
    p.evaluate("(h) => window.flopdocsCalculator.open(h)", "model=gpt-2-small")
    assert p.evaluate("document.querySelector('[data-out=total]').dataset.value") is not None
    p.evaluate("(t) => { document.querySelector('#fd-calc-hf').value = t; }", "{not json")
    p.evaluate("() => window.flopdocsCalculator.readHf()")
    assert p.evaluate("[...document.querySelectorAll('#fd-calc [data-out]')].every((e) => !e.dataset.value)")
    assert p.evaluate("document.querySelectorAll('#fd-calc-breakdown tr').length") == 0


def test_a_structure_field_the_page_does_not_know_fails_the_build_naming_it(monkeypatch):
    """A scratch copy of the structure with one more field (as a new layer would add to
    Arch): the build stops with one line naming the field and the file to change, rather
    than shipping a page that cannot find any structure's program.  Likewise a key whose
    default KEYS derives from others and the page's DERIVED table lacks."""
    import dataclasses as dc

    from flopdocs.config.arch import Arch
    from flopdocs.errors import BuildError
    from flopdocs.site.pages import calculator

    calculator.check_script()  # today's script knows every field and derived key
    scratch = dc.make_dataclass("ScratchArch", [("sparse_attention", bool, False)], bases=(Arch,), frozen=True)
    from flopdocs.site.pages import calculator_forms

    monkeypatch.setattr(calculator_forms, "ARCH_FIELDS", tuple(f.name for f in dc.fields(scratch)))
    with pytest.raises(BuildError, match="structure\\(\\) does not compute the Arch field\\(s\\) sparse_attention"):
        calculator.assets(SimpleNamespace(models=()))
    monkeypatch.undo()
    from flopdocs.base import resources

    script = (resources.SITE_SRC / "assets" / "calculator-checks.js").read_text(encoding="utf-8")
    with pytest.raises(BuildError, match="DERIVED has no default for l_tgt"):
        calculator.check_script(script.replace("    l_tgt: function", "    l_tgt_renamed: function"))


def test_the_first_answer_within_a_second_and_each_keystroke_within_100_ms(site, page):
    """From disk, cold: the first count is on screen within 1 s of the navigation's start;
    then each edit of a dimension, and of an architecture key that needs other programs
    (or pieces), is counted and shown within 100 ms (the median; measured in the page)."""
    p = page.browser.new_page()
    p.goto(site.resolve().as_uri() + "/calculator.html#model=llama-2-7b&mode=training", wait_until="commit")
    p.wait_for_function("document.querySelector('[data-out=total]') && document.querySelector('[data-out=total]').dataset.value",
                        polling=5)
    first = p.evaluate("performance.now()")
    assert first < 1000, f"first answer {first:.0f} ms after the navigation started"
    times = p.evaluate("""async () => {
      const calc = window.flopdocsCalculator, out = [];
      const edit = async (key, v) => {
        const el = document.querySelector('[data-key=' + key + ']'), t = performance.now();
        el.value = v; el.dispatchEvent(new Event('input', {bubbles: true}));
        await calc.settled(); out.push(performance.now() - t);
      };
      for (const v of ['1000', '2000', '3000', '4096']) { await edit('l', v); }
      for (const v of ['alibi', 'relative', 'learned', 'rope']) { await edit('position', v); }
      return out; }""")
    times.sort()
    assert times[len(times) // 2] < 100, times
    p.close()


# -- memory and fit ---------------------------------------------------------------------------


def _memory_options(rng, cfg) -> dict:
    """Random memory rules, accelerator and devices, and (half the time) a parallel split."""
    from flopdocs.counting import memory
    from flopdocs.counting.accelerators import ACCELERATORS

    out = {"convention": "flopdocs"} if rng.random() < 0.6 else {}  # every mode counted
    out.update({"dtype": rng.choice(list(memory.DTYPES)), "optimizer": rng.choice(memory.OPTIMIZERS),
           "attention": rng.choice(memory.ATTENTION), "accelerator": rng.choice(sorted(ACCELERATORS)),
           "devices": rng.choice([1, 3, 8, 512])})
    if rng.random() < 0.4:
        out["kv_dtype"] = rng.choice(list(memory.DTYPES))
    if rng.random() < 0.5:
        dp = rng.choice([1, 2, 4, 8])
        out.update(dp=dp, tp=rng.choice([1, 2, 3]), pp=rng.choice([1, 4]), zero=rng.randint(0, 3))
        experts = cfg.get("n_experts")
        if experts and rng.random() < 0.7:
            out["ep"] = rng.choice([e for e in (1, 2, 4) if dp % e == 0 and experts % e == 0])
    return out


def _catalogue_case(model: str, options: dict) -> dict:
    """A catalogue model under ``options`` (memory's defaults filled in, as the page's fields)."""
    options = {"dtype": "bf16", "optimizer": "adamw", "attention": "eager", "accelerator": "h100-sxm",
               "devices": 1, **options}
    return {"name": f"{model} {options}", "model": model, "config": catalogue.find(model),
            "fields": {k: _text(v) for k, v in catalogue.find(model).echo().items()},
            "options": {k: str(v) for k, v in options.items()}, "report": _report_or_reason(model, options),
            "in_grid": True}


def _memory_problems(case: dict, shown: dict) -> list[str]:
    """The page's memory block, per-device split and fit against ``report --format json``'s
    "memory" and "memory_per_device" and :func:`flopdocs.counting.timing.fit` (the numbers
    ``flopdocs fit`` prints), digit for digit."""
    from flopdocs.counting import memory, timing
    from flopdocs.counting.modes import Options

    rep, got, out = case["report"], shown["memory"], []
    if isinstance(rep, str) or shown["answers"]["total"][0] is None:  # no count: no memory either
        if any(v is not None for part in got.values() for v in part.values()):
            out.append("memory shown without a count")
        return [f"{case['name']}: {p}" for p in out]
    if shown["memory_note"]:  # put together from pieces: no memory program, no figure
        if any(v is not None for part in got.values() for v in part.values()) or "flopdocs report" not in shown["memory_note"]:
            out.append(f"pieces: {got} {shown['memory_note']!r}")
        return [f"{case['name']}: {p}" for p in out]
    want = lambda d: {k: None if v is None else str(v) for k, v in d.items() if k != "parallel"}
    if got["mem"] != want(rep["memory"]):
        out.append(f"memory {got['mem']} != {rep['memory']}")
    per_device = rep.get("memory_per_device") or dict.fromkeys(got["memDevice"])
    if got["memDevice"] != want(per_device):
        out.append(f"memory per device {got['memDevice']} != {per_device}")
    o = case["options"]
    s = memory.settings(Options(dtype=o["dtype"], kv_dtype=o.get("kv_dtype"), optimizer=o["optimizer"],
                                attention=o["attention"]), "training").checked()
    f = timing.fit(case["config"], timing.accelerator(o["accelerator"]), int(o["devices"]), s)
    fit = {k: _text(v) for k, v in vars(f).items()}
    if got["fit"] != fit:
        out.append(f"fit {got['fit']} != {fit}")
    return [f"{case['name']}: {p}" for p in out]


def test_memory_and_fit_equal_the_report_and_fit(page):
    """16 configs two or three keys from a catalogue model (and five catalogue models) under random conventions, modes,
    dtypes, optimizers, attention kernels, accelerators, devices and parallel splits (ZeRO
    stages, expert parallelism): the memory block equals ``report --format json``'s
    "memory", the per-device column its "memory_per_device" (none without a split), the fit
    answer :func:`flopdocs.counting.timing.fit`'s, exactly; the address holds the fields."""
    cases = _far_cases(16, seed=23, more=_memory_options) + [_catalogue_case(m, o) for m, o in (
        # the routed experts' states split 2 ways more, ZeRO-1 over 8 / 2 ranks; Adafactor's factored moment
        ("mixtral-8x7b", {"mode": "training", "optimizer": "adafactor", "dp": 8, "ep": 2, "zero": 1, "tp": 2}),
        # a window caps the cached positions; an int4 KV cache (33/64 byte a number)
        ("mistral-7b-v0-1", {"mode": "decode", "context": 9000, "kv_dtype": "int4", "accelerator": "a100", "devices": 2}),
        # local layers cap their positions at the window, the global ones do not
        ("gemma-3-27b", {"mode": "generate", "prompt": 2000, "generate": 3000, "tp": 4}),
        # an encoder-decoder: fit's KV cache holds the l_src source positions too
        ("t5-base", {"mode": "training-recompute", "recompute": "selective", "attention": "fused", "pp": 2}),
        # its serving: the decoder's self-attention cache and the cross-attention's l_src positions
        ("t5-large", {"mode": "generate", "prompt": 100, "generate": 50, "kv_dtype": "fp8", "tp": 2}))]
    shown = page.page.evaluate(READ_OPTIONS, [{"fields": c["fields"], "options": c["options"]} for c in cases])
    problems = [p for c, s in zip(cases, shown) for p in _memory_problems(c, s) + _mode_problems(c, s)]
    assert not problems, "\n".join(problems[:10])
    measured = [s for s in shown if s["memory"]["mem"]["weights"] is not None]
    assert len(measured) >= 12 and all(s["memory"]["mem"]["weights"] is not None for s in shown[-5:]), len(measured)
    assert [s["memory"]["mem"]["kv_cache"] is not None for s in shown[-5:]] == [False, True, True, False, True]
    modes = {c["options"]["mode"] for c, s in zip(cases, shown) if s["memory"]["mem"]["weights"] is not None}
    assert len(modes) >= 3, modes
    assert any(s["memory"]["memDevice"]["weights"] is not None for s in measured)
    assert any(s["memory"]["fit"]["training_fits"] == "true" for s in measured)
    assert any(s["memory"]["fit"]["training_fits"] == "false" for s in measured)
    assert all("dtype=" + c["options"]["dtype"] in s["hash"] or c["options"]["dtype"] == "bf16"
               for c, s in zip(cases, shown))


def test_the_address_holds_the_memory_fields(page):
    """``#model=llama-2-7b&mode=training&dtype=fp8&optimizer=sgd&dp=8&zero=3``: the fields
    set, the memory and its per-device split as ``report`` prints them."""
    p = page.page
    p.evaluate("(h) => window.flopdocsCalculator.open(h)",
               "model=llama-2-7b&mode=training&dtype=fp8&optimizer=sgd&dp=8&zero=3")
    assert p.evaluate("document.querySelector('[data-opt=dtype]').value") == "fp8"
    want = _report_or_reason("llama-2-7b", {"mode": "training", "dtype": "fp8", "optimizer": "sgd",
                                            "dp": 8, "zero": 3})
    # fp8 weights: 6,738,415,616 bytes (1 a parameter); sgd: 4 (master) + 4 (momentum) a parameter
    assert want["memory"]["weights"] == 6_738_415_616 and want["memory"]["optimizer"] == 8 * 6_738_415_616
    for term, v in want["memory"].items():
        got = p.evaluate(f"document.querySelector('[data-mem={term}]').dataset.value")
        assert got == (None if v is None else str(v)), term
        dev = want["memory_per_device"][term]
        assert p.evaluate(f"document.querySelector('[data-mem-device={term}]').dataset.value") == \
            (None if dev is None else str(dev)), term
    p.evaluate("(h) => window.flopdocsCalculator.open(h)", "model=llama-2-7b&mode=training&dp=3&ep=2")
    assert "needs experts" in p.evaluate("document.querySelector('[data-msg=ep]').textContent")
    assert p.evaluate("document.querySelector('[data-mem=weights]').dataset.value") is None
