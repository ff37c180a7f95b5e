"""site/pages/ (issue 9): each model page's answers, the Modes page, one page per convention with
its reconciliation by role, the errata (the seed's slips sized per model), and which
convention each paper uses.  Built pages are read from the session's one build (``site``)."""
from __future__ import annotations

import html
import re

import pytest

from flopdocs import conventions
from flopdocs.counting.analysis import analyse
from flopdocs.config.catalogue import find, models
from flopdocs.conventions import formula
from flopdocs.counting.modes import Options
from flopdocs.site import gather
from flopdocs.site.pages import answers, conventions as conventions_pages, errata, papers
from flopdocs.structure.tree import anchor, slug

CLOSED = [n for n, c in conventions.CONVENTIONS.items() if not conventions.is_tree(c)]


@pytest.fixture(scope="module")
def evaluated():
    """Every catalogue model evaluated as the site gathers it, by slug."""
    return {slug(cfg.name): gather.evaluate(cfg) for cfg in models()}


def _cells(text: str, start: str, end: str, nth: int = 0) -> list[list[str]]:
    """The rows of the first (or ``nth``) table after id ``start`` (and before id ``end``)
    of a built page, each a list of cell texts."""
    part = text[text.index(f'id="{start}"'): text.index(f'id="{end}"')]
    part = part.split("</table>")[nth]
    rows = re.findall(r"<tr>(.*?)</tr>", part, re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows if "<td" in r]


def _n(cell: str) -> int | None:
    return None if cell == "–" else int(cell.replace(",", ""))


# -- the model page's first screen ----------------------------------------------------

def test_every_model_page_opens_with_the_answers_of_analyse(site):
    for cfg in models():
        text = (site / "models" / f"{slug(cfg.name)}.html").read_text(encoding="utf-8")
        # the answers come first: before the config and every other section
        assert text.index('id="answers"') < text.index('id="config"') < text.index('id="totals"')
        got = {row[0]: _n(row[1]) for row in _cells(text, "answers", "config")}
        fwd, train = analyse(cfg), analyse(cfg, mode="training")
        want = {"parameters": fwd.params.total, "forward FLOPs per token": fwd.per_token,
                "training FLOPs per token": train.per_token,
                "training FLOPs per sequence": train.per_sequence.total}
        if fwd.params.active != fwd.params.total:
            want["parameters active per token"] = fwd.params.active
        pair = cfg.is_encoder_decoder  # decodes its target over the cached source
        length = cfg.get("l_tgt") if pair else cfg["l"]
        decodes = cfg.get("architecture") != "encoder"
        for c in (length // 2, length - 1):
            want[f"decode FLOPs per token at C = {c:,}"] = (
                analyse(cfg, mode="decode", options=Options(context=c)).per_token if decodes else None)
        layers = cfg.get("n_decoder_layers") if pair else cfg["n_layers"]
        # per layer: K and V, or multi-head latent attention's latent and rotary key
        cached = (cfg.get("kv_lora_rank") + cfg.get("qk_rope_head_dim") if cfg.get("kv_lora_rank")
                  else 2 * cfg.get("n_kv_heads") * cfg.get("d_head"))
        want["KV cache bytes per token"] = layers * cached * 2 if decodes else None
        want["weights in bf16"] = 2 * fwd.params.total  # 2 bytes a parameter
        want["training memory, one sequence"] = train.memory.total
        times = {k for k in got if k.startswith(("prefill time on one", "decode step on one"))}
        assert len(times) == (2 if decodes else 0), cfg.name  # roofline times: rounded, not exact
        assert {k: v for k, v in got.items() if k not in times} == want, cfg.name


def test_gpt2_xl_answers_by_hand(evaluated):
    rows = {r["label"]: r for r in answers.rows(evaluated["gpt-2-xl"])}
    # KV cache: 2 (K and V) · 48 layers · 25 heads · 64 · 2 bytes = 307,200 per token
    assert rows["KV cache bytes per token"]["value"] == 307_200
    # decode at C = 1,023 scores 1,024 keys: what each token of the dense forward scores
    full, half = rows["decode FLOPs per token at C = 1,023"], rows["decode FLOPs per token at C = 512"]
    assert full["value"] == rows["forward FLOPs per token"]["value"] == 3_433_821_382
    # 511 keys fewer: per key, per layer and head, QKᵀ 2·64 + PV 2·64 + 6 per-score steps
    # (scaling, mask, the softmax's four) = 262; 511 · 48 · 25 · 262 = 160,658,400
    assert full["value"] - half["value"] == 511 * 48 * 25 * 262 == 160_658_400
    # an encoder-decoder caches its target per token (2 · 6 decoder layers · 8 heads · 64 · 2
    # bytes), and its cross-attention's source once per sequence; an encoder says why not
    t5 = {r["label"]: r for r in answers.rows(evaluated["transformer-base"])}
    assert t5["KV cache bytes per token"]["value"] == 2 * 6 * 8 * 64 * 2 == 12_288
    assert "cross-attention" in t5["KV cache bytes per token"]["note"]
    bert = {r["label"]: r for r in answers.rows(evaluated["bert-base"])}
    assert "an encoder does not generate" in bert["decode FLOPs per token at C = 256"]["note"]


# -- one page per convention: terms and the reconciliation ----------------------------

def test_kaplan_on_gpt2_xl_reconciled_by_role(evaluated, site):
    rec = conventions_pages.reconcile(conventions.get("kaplan"), evaluated["gpt-2-xl"])
    rows = {tuple(r["roles"]): r for r in rec["rows"]}
    proj = rows["attention-projection",]
    # QKV 2·48·1600·3·1600 = 737,280,000 + project 2·48·1600·1600 = 245,760,000 per token;
    # ours: the same products + the 4 biases, 4·1600·48 = 307,200
    assert proj["terms"] == ["attention: QKV", "attention: project"]
    assert proj["form_token"] == 737_280_000 + 245_760_000 == 983_040_000
    assert proj["ours_token"] == 983_040_000 + 307_200
    assert proj["why"].startswith("the same matrix products") and "+ b_O" in proj["names"]
    # Kaplan has no term for PV: 2·48·1024·1600 = 157,286,400 per token, not counted
    pv = rows["attention-values",]
    assert pv["terms"] == [] and pv["form_token"] == 0 and pv["ours_token"] == 157_286_400
    # Table 1's total is non-embedding: 3,267,235,200 − embed 6,400 − de-embed 160,822,400
    assert rec["form_token"] == 3_106_406_400 and rec["ours_token"] == 3_433_821_382
    assert rec["summary"].startswith("Kaplan omits attention-softmax, attention-values, norm, residual")
    # (3,106,406,400 − 3,433,821,382) / 3,433,821,382 = −9.54 %
    assert rec["summary"].endswith("-9.54 % in all, forward")
    # the embed and de-embed rows stay visible, beside the total
    head = rows["lm-head",]
    assert head["form_token"] == 160_822_400 and head["beside"] and head["why"].startswith("printed beside")
    text = (site / "conventions" / "kaplan.html").read_text(encoding="utf-8")
    table = {r[0]: r for r in _cells(text, "reconciliation", "modes")}
    assert table["attention: QKV + attention: project"][2:6] == ["983,040,000", "983,347,200", "-0.03%", "-0.01%"]


@pytest.mark.parametrize("name", CLOSED)
def test_every_term_is_reconciled_once_and_the_rows_add_up(name, evaluated):
    conv = conventions.get(name)
    for s, m in evaluated.items():
        if isinstance(m.counts[name, "forward"], str):
            continue
        rec = conventions_pages.reconcile(conv, m)
        model = formula.model_of(m.config, m.analysis.params)
        terms = formula.sequence_terms(conv, model, model.tokens)
        assert sorted(t for r in rec["rows"] for t in r["terms"]) == sorted(t.name for t in terms), s
        counted = sum(r["form"] for r in rec["rows"] if not r.get("beside"))
        assert counted == rec["form"] == m.counts[name, "forward"].sequence_total, s
        assert sum(r["ours"] for r in rec["rows"]) == rec["ours"] == m.analysis.per_sequence.total, s
        assert abs(sum(r["effect"] for r in rec["rows"]) - rec["diff"]) < 1e-12, s
        roles = [x for r in rec["rows"] for x in r["roles"]]
        assert len(roles) == len(set(roles)), s  # a role is in one row only


def test_palm_and_megatron_on_gpt2_xl(evaluated):
    m = evaluated["gpt-2-xl"]
    palm = conventions_pages.reconcile(conventions.get("palm"), m)
    two_p = palm["rows"][0]
    # 2·P per token: 2 · 1,557,611,200 = 3,115,222,400; PaLM includes the embeddings
    assert two_p["form_token"] == 2 * 1_557_611_200 == 3_115_222_400
    assert two_p["why"].startswith("PaLM includes embeddings")
    meg = conventions_pages.reconcile(conventions.get("megatron"), m)
    layers = [r for r in meg["rows"] if r["terms"] and "lm-head" not in r["roles"]]
    # 48 · (24·1024·1600² + 4·1024²·1600) / 1024 = 3,263,692,800: GPT-2 XL's d_ff is 4h, so
    # the layers' matrix products are exactly ours, role by role
    assert sum(r["form_token"] for r in layers) == 48 * (24 * 1600**2 + 4 * 1024 * 1600) == 3_263_692_800
    assert all(r["why"].startswith(("the same matrix products", "the same count")) for r in layers)
    assert [r["terms"] for r in layers] == [["layers: Q, K, V", "layers: output projection"], ["layers: QKᵀ"],
                                            ["layers: scores × V"], ["layers: MLP"]]
    by_mode = {r["mode"]: r for r in conventions_pages.modes_rows(conventions.get("megatron"), m, "flopdocs")}
    # Megatron includes recomputation: eq. 3 is 4 forwards of the layers + 3 of the logits
    assert by_mode["training-recompute"]["form"] == 4 * 3_263_692_800 + 3 * 160_822_400
    assert "one more forward of every term except the logit layer" in by_mode["training-recompute"]["note"]


def test_every_convention_has_its_page_with_every_term(site, evaluated):
    for name, conv in conventions.CONVENTIONS.items():
        page = site / "conventions" / f"{anchor(name)}.html"
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert conv.CITATION in text, name
        if conventions.is_tree(conv):
            assert 'id="rules"' in text
            for (layer, leaf) in conv.RULES:
                assert f"<code>{leaf}</code>" in text, (name, leaf)
        else:
            assert 'id="terms"' in text and 'id="reconciliation"' in text, name
            m = evaluated["gpt-2-xl"]
            for t in formula.sequence_terms(conv, formula.model_of(m.config, m.analysis.params), 1024):
                assert f"<td>{t.name}</td>" in text, (name, t.name)
        conv_page = (site / "conventions.html").read_text(encoding="utf-8")
        assert f'href="conventions/{anchor(name)}.html"' in conv_page


# -- the errata ------------------------------------------------------------------------

def test_each_slip_sized_and_the_slips_sum_to_flopdocs_minus_seed(evaluated, site):
    for s, m in evaluated.items():
        sizes = errata.sizes(m)
        assert list(sizes) == ["LayerNorm", "PositionWiseFFN", "Softmax"]
        assert sum(sizes.values()) == (m.counts["flopdocs", "forward"].total
                                       - m.counts["seed", "forward"].total), s
    seed = errata.sizes(evaluated["seed-512"])
    # the softmax's division: 6 layers · 8 heads · 512² scores = 12,582,912;
    # the FFN biases at the other 511 positions: 511 · (4096 + 512) · 6 = 14,128,128;
    # the rest of tests/test_corrected.py's 30,112,256 is LayerNorm's: 3,401,216
    assert seed == {"Softmax": 12_582_912, "PositionWiseFFN": 14_128_128, "LayerNorm": 3_401_216}
    text = (site / "errata.html").read_text(encoding="utf-8")
    # two tables (each fits two phone screens): the totals, then each slip's size
    totals = {r[0]: r for r in _cells(text, "catalogue", "cite")}
    sized = {r[0]: r for r in _cells(text, "catalogue", "cite", nth=1)}
    assert totals["Seed 512"][1:] == ["51,248,964,096", "51,279,076,352", "30,112,256 (+0.06%)"]
    assert sized["Seed 512"][1:] == ["3,401,216", "14,128,128", "12,582,912"]
    assert len(totals) == len(sized) == len(evaluated)


# -- which convention does this paper use; the Modes page -------------------------------

def test_every_claim_names_a_convention_and_a_source(site):
    who = {p["who"].split(" ")[0] for p in papers.PAPERS}
    assert {"GPT-3", "Chinchilla", "PaLM", "Llama", "Megatron-LM", "MaxText", "torchtitan", "nanoGPT"} <= who
    for p in papers.PAPERS:
        assert p["source"] and p["counts"], p["who"]
        assert p["convention"] == "" or p["convention"] in conventions.CONVENTIONS, p["who"]
    text = html.unescape((site / "conventions.html").read_text(encoding="utf-8"))
    assert 'id="papers"' in text and "karpathy/nanoGPT, model.py" in text
    assert '<a href="conventions/palm.html"><code>palm</code></a>' in text


def test_modes_page_works_llama_2_7b(site):
    text = (site / "modes.html").read_text(encoding="utf-8")
    for a in ("parameters", "forward", "training", "recompute", "prefill", "decode", "generate", "kv-cache"):
        assert f'id="{a}"' in text, a
    # 2 · 32 layers · 32 KV heads · 128 · 2 bytes = 524,288 per token; 4,096 tokens: 2 GiB
    assert "524,288 bytes per token; 2,147,483,648 bytes" in text
    fwd = analyse(find("llama-2-7b"))
    training = analyse(find("llama-2-7b"), mode="training")
    assert f"{training.per_sequence.total:,} FLOPs per sequence" in text
    assert f"{fwd.per_sequence.total:,}" in text
