"""The site's pieces without MkDocs: derivations, anchors, escaping, figures, gather."""
from __future__ import annotations

import re

import pytest
import sympy

from flopdocs.config.config import ConfigError
from flopdocs.structure.layers import LAYERS, all_layers
from flopdocs.site import derive, figures, gather, render
from flopdocs.site.pages import model as model_page
from flopdocs.site.text import md_text
from flopdocs.structure.tree import walk
from flopdocs.config.symbols import d_model, l, n_heads


def test_every_layer_page_has_unique_anchors_apart_from_its_own_sections():
    for layer in all_layers():
        anchors = [s.anchor for s in derive.sections(layer)]
        assert len(anchors) == len(set(anchors)), layer.name
        assert not set(anchors) & set(derive.RESERVED), layer.name
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a) for a in anchors), anchors


def test_matmul_derivation_of_q_wq():
    # seed In [9]: "Q * WQ": 2 * n_q * d_model * (d_k * n_heads), with n_q = l and
    # d_k = d_model / n_heads: 2 * l * d_model * d_model = 2 d_model^2 l
    s = {x.anchor: x for x in derive.sections(LAYERS["MultiHeadAttention"])}["q-wq"]
    assert s.kind == "op"
    assert sympy.expand(s.node.value - 2 * l * d_model**2) == 0
    labels = [label for label, _ in s.steps]
    assert labels == ["\\text{shapes}", "\\text{multiply-adds}", "\\text{FLOPs}"]
    assert s.steps[-1][1].endswith("= 2 d_{model}^{2} l")


def test_sub_layers_link_to_their_pages_with_their_repetition():
    secs = {x.anchor: x for x in derive.sections(LAYERS["MultiHeadAttention"])}
    sdpa = secs["scaled-dot-product-attention"]
    assert sdpa.kind == "layer" and sdpa.link == "scaled-dot-product-attention"
    assert sdpa.times == n_heads
    # the nested, non-layer subtree of LayerNorm gets its own section and anchors
    ln = {x.anchor: x for x in derive.sections(LAYERS["LayerNorm"])}
    assert ln["var-x"].kind == "group" and ln["x-2"].depth == 1


def test_a_derivation_that_disagrees_with_the_tree_is_an_error():
    from flopdocs.structure.tree import walk, Node, Op
    wrong = Node(name="bad", value=3 * l, op=Op("matmul", ((l, 1), (1, 1))))  # 2·l ≠ 3·l
    with pytest.raises(derive.DerivationError, match="bad"):
        derive._steps(wrong, 1)


def test_model_rows_link_to_the_derivation_anchor():
    anchors = derive.anchor_map(all_layers())
    tree = next(m for m in gather.gather().models if m.slug == "seed-512").analysis.symbolic
    assert derive.link_of(("Blocks", "MultiHeadAttention", "Q * WQ"), tree, anchors) == \
        ("multi-head-attention", "q-wq")
    assert derive.link_of(("Blocks", "LayerNorms", "var_x", "X**2"), tree, anchors) == \
        ("layer-norm", "x-2")
    assert derive.link_of(("Blocks",), tree, anchors) == ("block", None)
    assert derive.link_of(("ProjectToVocab",), tree, anchors) == ("transformer", "project-to-vocab")


def test_text_is_escaped_for_html_and_markdown():
    assert md_text("<script>") == "&lt;script&gt;"
    assert md_text("a_b|c*d`e[f]") == "a&#95;b&#124;c&#42;d&#96;e&#91;f&#93;"
    assert md_text('"&\'') == "&quot;&amp;&#x27;"


def test_bar_chart_is_deterministic_scaled_and_escaped():
    svg = figures.bar_chart([("<b>", 0.5), ("x|y", 0.25)], "t & u")
    assert svg == figures.bar_chart([("<b>", 0.5), ("x|y", 0.25)], "t & u")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "x&#124;y" in svg
    span = figures.WIDTH - figures.LABEL_W - figures.VALUE_W - 2 * figures.PAD  # 398
    widths = re.findall(r'class="fd-bar"[^>]*width="([\d.]+)"', svg)
    assert widths == [str(span), str(span // 2)]  # the largest share fills the span
    assert "50.00%" in svg and "25.00%" in svg and "\n" not in svg


@pytest.fixture(scope="module")
def rendered():
    """The catalogue's data and its pages, rendered once for this module (a few seconds)."""
    data = gather.gather()
    return data, render.pages(data, "abc123", "2026")


def test_generated_pages_and_nav(rendered):
    data, pages = rendered
    assert list(pages) == sorted(pages)
    assert {f"models/{m.slug}.md" for m in data.models} <= set(pages)
    # no Jinja leftovers, trailing newline kept
    for path, text in pages.items():
        assert "{%" not in text and "{{ " not in text, path
        assert text.endswith("\n"), path
    nav = render.nav(data)
    assert nav[0] == {"Home": "index.md"}


def _config(directory, stem, name):
    (directory / f"{stem}.yaml").write_text(
        f"name: {name}\nl: 8\nd_model: 8\nd_ff: 8\nn_vocab: 8\nn_layers: 1\nn_heads: 2\n", encoding="utf-8")


def test_catalogue_slug_must_match_the_file_and_be_usable(tmp_path):
    _config(tmp_path, "a-b", "A b")
    assert [c.name for c in gather.load_catalogue(tmp_path)] == ["A b"]
    _config(tmp_path, "other", "a-b")  # same slug as "A b", different file: an error
    with pytest.raises(ConfigError, match="other.yaml: name"):
        gather.load_catalogue(tmp_path)
    (tmp_path / "other.yaml").unlink()
    _config(tmp_path, "", "'!!!'")
    with pytest.raises(ConfigError, match="name"):
        gather.load_catalogue(tmp_path)


def test_empty_catalogue_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no models"):
        gather.gather(tmp_path)


def test_crossover_from_each_models_own_tree():
    from flopdocs.site.pages.symbolic import crossover_row

    models = {m.slug: m for m in gather.gather().models}
    seed = crossover_row(models["seed-512"])
    # under flopdocs each score costs 6 FLOPs beside QKᵀ and PV (scale, mask, 4 softmax steps):
    # l* = n(8d² + 4df) / n(4d + 6h) = (8·512² + 4·512·4096) / (4·512 + 6·8) = 10,485,760 / 2,096
    assert seed["l_star"] == 10_485_760 / 2_096
    assert seed["attn"] == 6 * (4 * 512 + 6 * 8) * 512**2  # n(4d + 6h)l²
    assert seed["dsq"] == 6 * (8 * 512**2 + 4 * 512 * 4096) * 512  # n(8d² + 4df)l
    # Mistral 7B's sliding window (4096 < l = 8192) does not change the dense count: a masked
    # kernel computes every score, 32 layers of (4·4096 + 6·32)·8192²
    mistral = crossover_row(models["mistral-7b-v0-1"])
    assert mistral["attn"] == 32 * (4 * 4096 + 6 * 32) * 8192**2 and mistral["l_star"] is not None
    # Llama 2 7B: gated FFN (6·d·f) and RoPE, counted from its own tree
    llama = crossover_row(models["llama-2-7b"])
    assert llama["dsq"] == 32 * (8 * 4096**2 + 6 * 4096 * 11008) * 4096


def test_catalogue_reads_yml_files_too(tmp_path):
    # `report` takes .yml as well as .yaml; a catalogue must not skip one silently
    _config(tmp_path, "a-b", "A b")
    (tmp_path / "a-b.yaml").rename(tmp_path / "a-b.yml")
    _config(tmp_path, "c", "C")
    (tmp_path / "notes.txt").write_text("not a config")
    assert [c.name for c in gather.load_catalogue(tmp_path)] == ["A b", "C"]


def test_grouped_shares_sum_to_one_for_every_catalogue_model():
    # the Compare columns and the Home page's largest share: an encoder-decoder's two
    # PositionWiseFFN groups (one per stack) are one column holding their sum
    data = gather.gather()
    for m in data.models:
        shares = model_page.grouped_shares(m)
        assert sum(shares.values()) == pytest.approx(1, abs=1e-12), m.config.name
    base = next(m for m in data.models if m.config.name == "Transformer base")
    ffn = [n.total for _, n in walk(base.grouped) if n.name == "PositionWiseFFN"]
    assert len(ffn) == 2  # encoder and decoder stacks
    assert model_page.grouped_shares(base)["PositionWiseFFN"] == pytest.approx(sum(ffn) / base.analysis.total)
    assert model_page.largest(base)[0] == "PositionWiseFFN"  # 37.1%, not ProjectToVocab's 27.9%


def test_cite_boxes_carry_commit_and_year_and_review_fixes_hold(rendered):
    _, pages = rendered
    for page in ("symbolic.md", "compare.md", "conventions.md", "layers/multi-head-attention.md",
                 "models/seed-512.md"):
        text = pages[page]
        assert "## Cite { #cite }" in text, page
        assert "year         = {2026}," in text and "Built from commit abc123" in text, page
    # an encoder-decoder's terms are in l_src and l_tgt: its crossover row is all "–"
    row = next(line for line in pages["symbolic.md"].splitlines() if line.startswith("| [Transformer base]"))
    assert row.endswith("| 256 | – | – | – | – |")
    # headings carry no math (a table of contents shows them as text)
    assert "## Collected by `d_model` { #by-d-model }" in pages["symbolic.md"]
    # a note is prose: no TeX like "d_{ff} FLOPs" outside math
    assert "d_{ff} FLOPs" not in pages["layers/position-wise-ffn.md"]
    # heads numbered 1..n_heads share key/value head ceil(i n_kv / n_heads)
    assert r"\lceil i \, n_{kv} / n_{heads} \rceil" in pages["layers/grouped-query-attention.md"]
    assert r"n_{kv\_heads} = n_{kv}" in pages["layers/grouped-query-attention.md"]


def test_model_pages_link_their_own_root_layer_and_closed_forms_come_from_records():
    data = gather.gather()
    out = render.pages(data, "unknown")
    # an encoder-decoder's tree is an EncoderDecoder: its page links there, not to Transformer
    assert "(see [the layers](../layers/encoder-decoder.md))" in out["models/transformer-base.md"]
    assert "(see [the layers](../layers/transformer.md))" in out["models/llama-2-7b.md"]
    # the closed-form rows are the records' labels and values, whatever their keys
    from flopdocs.conventions.closed_forms import estimates
    llama = next(m for m in data.models if m.slug == "llama-2-7b")
    for e in estimates(llama.analysis):
        assert f"| {e.label} | {e.value:,} |" in out["models/llama-2-7b.md"]


@pytest.mark.parametrize("name, written", [
    ("👩\u200d💻 coder", '"👩\u200d💻 coder"'),  # not "\ud83d\udc69...": YAML reads no surrogate pairs
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", '"🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"'),
    ('<b>"A" & B\\</b>', '"&lt;b&gt;&quot;A&quot; &amp; B\\\\&lt;/b&gt;"'),
    ("a\x7fb\u2028c\x85", '"a\\u007fb\\u2028c\\u0085"'),  # what YAML would refuse or fold
])
def test_front_matter_titles_read_back(name, written):
    import html

    import yaml

    from flopdocs.site.text import front_matter_text

    assert front_matter_text(name) == written
    assert yaml.safe_load(f"title: {written}\n") == {"title": html.escape(name)}
