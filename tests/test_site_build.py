"""The built site: one page per model and layer, exact totals, anchors kept, offline,
deterministic, escaped, and atomic on failure.

The reference site is built once per session (the ``site`` fixture, tests/conftest.py)
and every test of a built page reads that build. The other builds are small: a temporary
two-model catalogue built twice (escaping, the determinism check, a failed rebuild) and
one-model builds that must fail (a broken link, a page shadowing a generated one).
To refresh the committed list of published addresses after adding pages or anchors:
    python -c "from flopdocs.site.build.staging import published_anchors; print(*published_anchors(), sep='\\n')" > tests/anchors.txt
"""
from __future__ import annotations

import hashlib
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flopdocs import __version__
from flopdocs.config import catalogue
from flopdocs.counting.analysis import analyse
from flopdocs.cli.main import main
from flopdocs.structure.layers import all_layers
from flopdocs.errors import BuildError
from flopdocs.site.build import staging as site_build
from flopdocs.site.addresses import release_path
from flopdocs.structure.tree import slug

ANCHORS = Path(__file__).with_name("anchors.txt")


def html_of(site: Path, page: str) -> Path:
    """``layers/block.md`` -> ``site/layers/block.html`` (use_directory_urls: false)."""
    return site / (page[: -len(".md")] + ".html")


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_one_page_per_catalogue_model_and_per_layer(site):
    models = {p.stem for p in (site / "models").glob("*.html")}
    layers = {p.stem for p in (site / "layers").glob("*.html")}
    assert models == {slug(c.name) for c in catalogue.models()}
    assert layers == {layer.slug for layer in all_layers()}
    # the eight seed layers, named as the issue names their pages
    assert {"embeddings", "softmax", "scaled-dot-product-attention", "multi-head-attention",
            "position-wise-ffn", "layer-norm", "block", "transformer"} <= layers
    for page in ("index", "symbolic", "compare", "about"):
        assert (site / f"{page}.html").is_file()


def test_every_model_page_total_is_the_library_total(site):
    for cfg in catalogue.models():
        text = (site / "models" / f"{slug(cfg.name)}.html").read_text(encoding="utf-8")
        m = re.search(r'id="total-flops">([\d,]+)<', text)
        assert m, cfg.name
        assert int(m.group(1).replace(",", "")) == analyse(cfg).total


def test_every_model_page_shows_the_exact_parameter_count(site):
    for cfg in catalogue.models():
        text = (site / "models" / f"{slug(cfg.name)}.html").read_text(encoding="utf-8")
        m = re.search(r'id="params-total">([\d,]+)<', text)
        assert m, cfg.name
        assert int(m.group(1).replace(",", "")) == analyse(cfg).params.total
    # Llama 2 7B: the released checkpoint's exact count
    text = (site / "models" / "llama-2-7b.html").read_text(encoding="utf-8")
    assert 'id="params-total">6,738,415,616<' in text


def test_conventions_page_and_model_pages_show_every_convention(site):
    text = (site / "conventions.html").read_text(encoding="utf-8")
    for name in ("flopdocs", "seed", "kaplan", "chinchilla", "palm", "megatron", "6-n", "corrected"):
        assert f'id="{name}"' in text, name  # corrected: the old name's anchor stays
    # seed-512's training FLOPs per token under flopdocs: forward 51,279,076,352 (the seed's
    # 51,248,964,096 + 30,112,256, tests/test_corrected.py) + backward: 2 × the matmuls
    # 51,162,120,192 + 1 × the elementwise and transcendental steps (116,956,160 non-matmul
    # less 19,405,312 of sums) = 102,421,791,232; 153,700,867,584 / 512 = 300,197,007
    assert "300,197,007 (1.000)" in text
    model = (site / "models" / "seed-512.html").read_text(encoding="utf-8")
    assert "51,279,076,352" in model and 'href="../conventions.html#flopdocs"' in model
    assert "51,248,964,096" in model and 'href="../conventions.html#seed"' in model


def test_seed_512_page_shows_the_seed_number(site):
    # seed In [44]: count_flops(N=1, l=512, d_model=512, d_ff=4096, n_vocab=30000,
    # n_layers=6, n_heads=8) = 51248964096
    # the page's headline is the flopdocs count (the seed's + 30,112,256); the seed's own
    # number is one row away, under each convention
    text = (site / "models" / "seed-512.html").read_text(encoding="utf-8")
    assert 'id="total-flops">51,279,076,352<' in text
    assert '<a href="../conventions.html#seed"><code>seed</code></a></td>\n<td style="text-align: right;">51,248,964,096</td>' in text


def test_every_committed_anchor_exists(site):
    lines = [x for x in ANCHORS.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) > 100
    missing = []
    for line in lines:
        page, _, anchor = line.partition("#")
        path = html_of(site, page)
        if not path.is_file():
            missing.append(line)
        elif anchor and f'id="{anchor}"' not in path.read_text(encoding="utf-8"):
            missing.append(line)
    assert not missing, f"the build dropped published addresses: {missing}"


def test_derivation_anchors_are_the_promised_ones(site):
    # the example address, and a nested LayerNorm op
    mha = html_of(site, "layers/multi-head-attention.md").read_text(encoding="utf-8")
    assert 'id="q-wq"' in mha
    ln = html_of(site, "layers/layer-norm.md").read_text(encoding="utf-8")
    for anchor in ("mean-x", "var-x", "x-2", "sum", "m-mean-x-2", "gamma-numerator-denominator-beta"):
        assert f'id="{anchor}"' in ln


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and set((a.get("rel") or "").split()) & {"stylesheet", "preload",
                                                                  "modulepreload", "icon"}:
            self.urls.append(a.get("href") or "")
        if tag in ("img", "iframe") and a.get("src"):
            self.urls.append(a["src"])


def test_no_page_loads_anything_from_another_host(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 15
    for page in pages:
        p = _Assets()
        p.feed(page.read_text(encoding="utf-8"))
        remote = [u for u in p.urls if re.match(r"(?i)(https?:)?//", u)]
        assert not remote, f"{page}: {remote}"
        assert p.urls, page  # the scripts and styles are there, served locally
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


def test_katex_is_served_by_the_site_and_rendered_on_document_ready(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for asset in ("assets/katex/katex.min.js", "assets/katex/contrib/auto-render.min.js",
                  "assets/katex/katex.min.css", "assets/katex-init.js"):
        assert asset in index
        assert (site / asset).is_file()
    assert any((site / "assets/katex/fonts").glob("KaTeX_Main-Regular.woff2"))
    assert "document$.subscribe" in (site / "assets/katex-init.js").read_text(encoding="utf-8")
    # math reaches the page as arithmatex's generic markup, for KaTeX's auto-render
    mha = html_of(site, "layers/multi-head-attention.md").read_text(encoding="utf-8")
    assert '<div class="arithmatex">\\[' in mha


def test_cite_box_names_the_permalink_and_commit(site):
    built_from = site_build.commit()
    for page in ["layers/multi-head-attention.md", "models/seed-512.md"]:
        text = html_of(site, page).read_text(encoding="utf-8")
        assert 'id="cite"' in text
        # the permalink is this release's page (its numbers stay there); latest is a second link
        assert f"https://flopdocs.github.io/flopdocs/{release_path(__version__)}/{page[:-3]}.html" in text
        assert f"https://flopdocs.github.io/flopdocs/latest/{page[:-3]}.html" in text
        bibtex = unescape(re.sub(r"<[^>]+>", "", text))  # the code block is highlighted
        assert f"version      = {{{__version__}}}," in bibtex
        assert f"Built from commit {built_from}" in text
        if built_from != "unknown":  # the sources at that commit, a link that cannot move
            assert f"https://github.com/flopdocs/flopdocs/tree/{built_from}" in text


def test_symbolic_page_has_one_section_per_dimension(site):
    text = (site / "symbolic.html").read_text(encoding="utf-8")
    for anchor in ("expanded", "by-l", "by-d-model", "by-d-ff", "by-n-vocab", "by-n-heads",
                   "by-n-layers", "leading-order", "crossover"):
        assert f'id="{anchor}"' in text


# -- a model page's closed-form cross-check ---------------------------------------------

class _Rows(HTMLParser):
    """Each table row's cells as whitespace-normalised text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _section(site: Path, page: str, anchor: str) -> str:
    """The HTML of one ``## ... { #anchor }`` section of a page, up to the next heading."""
    text = html_of(site, page).read_text(encoding="utf-8")
    start = text.index(f'<h2 id="{anchor}">')
    end = text.index("<h2 ", start + 1)
    return text[start:end]


def _cross_check(site: Path, model: str) -> dict[str, list[str]]:
    rows = _Rows()
    rows.feed(_section(site, f"models/{model}.md", "cross-check"))
    body = rows.rows[1:]  # below the header row
    return {r[0].split()[0]: r[1:] for r in body}  # "Kaplan" / "PaLM" -> [FLOPs, vs. it]


def test_cross_check_counts_gpt2_smalls_tied_lm_head(site):
    # GPT-2 small: l = 1024, d = 768, n_vocab = 50257, 12 layers of 12 heads (d_attn = 768),
    # learned positions, a tied LM head; 124,439,808 parameters, 85,056,000 of them
    # non-embedding (tests/test_params.py: the tables 38,597,376 + 786,432 aside).
    # attention term n·l·d_attn = 12 · 1024 · 768 = 9,437,184.
    # Kaplan: 2·85,056,000 + 2·9,437,184 = 170,112,000 + 18,874,368 = 188,986,368.
    # PaLM: the weights a token multiplies are every parameter but the position table
    # (a lookup), the word table counted once, as the tied LM head's n_vocab·d matrix:
    # 124,439,808 - 786,432 = 123,653,376; 2·123,653,376 + 4·9,437,184 = 247,306,752
    # + 37,748,736 = 285,055,488. (Leaving the tied head out, 123,653,376 - 50257·768
    # = 85,056,000 weights, would give 170,112,000 + 37,748,736 = 207,860,736: +37.46%.)
    # This count (flopdocs): the seed's 292,578,836,736 per sequence + 217,814,784 (its
    # slips: n(2dl + 12l - 14d + (l - 1)(f + d) + l²h) + dl + 6l - 7d with n 12, d 768,
    # l 1024, f 3072, h 12) = 292,796,651,520 / 1024 tokens = 285,934,230 per token, so
    # vs. Kaplan (285,934,230 - 188,986,368) / 188,986,368 = +51.30% and vs. PaLM
    # 878,742 / 285,055,488 = +0.31% (the elementwise steps the closed forms leave out).
    section = " ".join(_section(site, "models/gpt-2-small.md", "cross-check").split())
    assert "count (285,934,230):" in section
    assert _cross_check(site, "gpt-2-small") == {
        "Kaplan": ["188,986,368", "+51.30%"],
        "PaLM": ["285,055,488", "+0.31%"],
    }
    assert analyse(catalogue.find("gpt-2-small")).per_token == 285_934_230


def test_cross_check_names_the_sliding_window_only_where_there_is_one(site):
    # Mistral 7B attends over a 4096-token window of its l = 8192: the page must say the
    # window changes neither count (both count every score a dense kernel computes) and how
    # to count the band; a model without a window (or with one at least l) must not.
    caveat = "a sliding window does not change this count"
    windowed = set()
    for cfg in catalogue.models():
        if cfg.knob("architecture") == "encoder-decoder":
            continue  # no cross-check at all
        section = " ".join(_section(site, f"models/{slug(cfg.name)}.md", "cross-check").split())
        if caveat in section:
            windowed.add(slug(cfg.name))
        window = cfg.knob("window")
        assert (caveat in section) == (window is not None and window < cfg["l"]), cfg.name
    assert "mistral-7b-v0-1" in windowed
    # and there the closed form is well above this count. Mistral: 7,241,732,096 parameters,
    # RoPE (no position table), an untied head: 7,241,732,096 - 32000·4096 (the word
    # table, a lookup) = 7,110,660,096 weights; attention 32 layers · 8192 · 4096 (d_attn
    # = 32 heads · 128) = 1,073,741,824; 2·7,110,660,096 + 4·1,073,741,824 = 18,516,287,488.
    # Both span all 8192 keys (dense), so this page's 18,568,364,227 per token is
    # (18,568,364,227 - 18,516,287,488) / 18,516,287,488 = +0.28%: the elementwise steps.
    assert _cross_check(site, "mistral-7b-v0-1")["PaLM"] == ["18,516,287,488", "+0.28%"]


def test_conventions_page_shows_the_corrected_difference_term_by_term(site):
    # seed - flopdocs per sequence, the negative of tests/test_corrected.py's DIFF:
    # -(n(2dl + 12l - 14d + (l - 1)(f + d) + l²h) + dl + 6l - 7d), expanded and set one term
    # per line, each with its own sign ("&- x", never "&+ -x").
    want = ["- d_{ff} l n_{layers}", "+ d_{ff} n_{layers}", "- 3 d_{model} l n_{layers}",
            "- d_{model} l", "+ 15 d_{model} n_{layers}", "+ 7 d_{model}",
            "- l^{2} n_{heads} n_{layers}", "- 12 l n_{layers}", "- 6 l"]
    section = _section(site, "conventions.md", "seed")
    m = re.search(r"\\begin\{aligned\}(.*?)\\end\{aligned\}", section, re.S)
    assert m, section
    lines = [" ".join(x.replace("&amp;", "").split()) for x in m.group(1).split("\\\\")]
    assert [x for x in lines if x] == want


# -- a temporary catalogue: escaping, and a failed build --------------------------------

EVIL_NAME = "<script>alert(1)</script> X"
EVIL_SOURCE = '<script>alert("source")</script> & <b>bold</b>'


def _write_config(directory: Path, name: str, source: str, **dims) -> Path:
    values = {"l": 64, "d_model": 32, "d_ff": 128, "n_vocab": 100, "n_layers": 2, "n_heads": 4}
    values.update(dims)
    body = f"name: {name!r}\nsource: {source!r}\n" + "".join(f"{k}: {v}\n" for k, v in values.items())
    path = directory / f"{slug(name)}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


#: What a gh-pages checkout holds besides the site: a rebuild keeps each byte of it.
DEPLOYED = {"CNAME": "flopdocs.example.org\n", ".nojekyll": "", ".git/HEAD": "ref: refs/heads/gh-pages\n",
            ".git/objects/ab/cdef0123": "a git object", ".well-known/security.txt": "Contact: x\n"}


def _deployed_site(out: Path) -> Path:
    """A previous build (the marker, its pages) plus the user's gh-pages entries."""
    (out / "models").mkdir(parents=True)
    (out / site_build.MARKER).write_text("built by flopdocs build\n")
    (out / "index.html").write_text("old index")
    (out / "models" / "gone.html").write_text("a model no longer in the catalogue")
    for rel, text in DEPLOYED.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    return out


@pytest.fixture(scope="module")
def evil(tmp_path_factory):
    """A temporary catalogue built over a deployed site (the gh-pages layout)."""
    root = tmp_path_factory.mktemp("evil")
    cat = root / "catalogue"
    cat.mkdir()
    _deployed_site(root / "site")
    _write_config(cat, EVIL_NAME, EVIL_SOURCE)
    _write_config(cat, MATH_NAME, "math in a name")
    (cat / "coder.yaml").write_text(_write_config(cat, "coder", "").read_text(encoding="utf-8").replace(
        "name: 'coder'", f'name: "{EMOJI_NAME}"'), encoding="utf-8")
    out = site_build.build(root / "site", catalogue_dir=cat)
    return cat, out


def test_a_rebuild_keeps_dot_entries_and_cname(evil):
    _, out = evil
    kept = {rel: (out / rel).read_text() if (out / rel).is_file() else None for rel in DEPLOYED}
    assert kept == DEPLOYED
    assert not (out / "models" / "gone.html").exists() and (out / "models" / "coder.html").is_file()
    assert (out / "index.html").read_text() != "old index" and (out / site_build.MARKER).is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["catalogue", "site"]  # no staging left


def test_model_names_and_sources_are_escaped(evil):
    _, out = evil
    page = out / "models" / f"{slug(EVIL_NAME)}.html"
    assert page.name == "script-alert-1-script-x.html"
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "<script>alert" not in text, html
        assert "<b>bold" not in text, html
    text = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; X" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text


MATH_NAME = r"\(\color{red}{\rule{2000px}{2000px}}\) M"
EMOJI_NAME = "👩\u200d💻 Coder 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


def test_a_name_outside_the_basic_multilingual_plane_is_the_pages_title(evil):
    # the front matter reads back: <title> and nav say the name, not the file's
    _, out = evil
    text = (out / "models" / "coder.html").read_text(encoding="utf-8")
    assert f"<title>{EMOJI_NAME} - flopdocs</title>" in text
    assert "title:" not in text and "\\ud83d" not in text
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(f'<a href="models/coder.html" class="md-nav__link">\\s*<span class="md-ellipsis">'
                     f'\\s*{EMOJI_NAME}\\s*</span>', index), "the nav names the model"


class _MathText(HTMLParser):
    """The text inside elements of class ``arithmatex`` (what katex-init.js typesets)."""

    def __init__(self):
        super().__init__()
        self.depth, self.math, self.text = 0, [], []

    def handle_starttag(self, tag, attrs):
        if self.depth or "arithmatex" in (dict(attrs).get("class") or "").split():
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        (self.math if self.depth else self.text).append(data)


def test_text_in_a_name_is_never_typeset_as_math(evil):
    # katex-init.js renders only .arithmatex elements; the name's \( ... \) is elsewhere
    _, out = evil
    assert 'querySelectorAll(".arithmatex' in (out / "assets" / "katex-init.js").read_text(encoding="utf-8")
    page = out / "models" / f"{slug(MATH_NAME)}.html"
    parser = _MathText()
    parser.feed(page.read_text(encoding="utf-8"))
    assert any("\\rule{2000px}" in t for t in parser.text)  # shown, as typed
    assert not any("rule{2000px}" in t for t in parser.math)
    assert any("\\(" in t for t in parser.math)  # the page's own math is still there


def test_two_builds_are_byte_identical(evil, tmp_path):
    # The whole pipeline twice (render, MkDocs, the search index, sitemap.xml.gz and its
    # gzip timestamp), at another time, through another staging directory, into another
    # --out: byte for byte the same site. The small catalogue keeps this second build
    # cheap; it still has every layer page and the symbolic, conventions and compare pages
    # (their size does not depend on the catalogue's), and two model pages.
    cat, out = evil
    again = site_build.build(tmp_path / "site", catalogue_dir=cat)
    # what a rebuild keeps of --out (the user's CNAME, dot-entries) is not the build's output
    a = {k: v for k, v in snapshot(out).items() if not site_build.kept(k.split("/")[0])}
    b = snapshot(again)
    assert "sitemap.xml.gz" in a and "layers/multi-head-attention.html" in a
    assert f"models/{slug(EVIL_NAME)}.html" in a
    assert a == b


def test_failed_build_leaves_the_previous_site_untouched(evil, capsys):
    cat, out = evil
    before = snapshot(out)
    bad = _write_config(cat, "Bad Model", "test", d_model=30)  # 30 is not divisible by 4 heads
    try:
        rc = main(["build", "--out", str(out), "--catalogue", str(cat)])
    finally:
        bad.unlink()
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1
    assert "bad-model.yaml" in err and "d_model" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["catalogue", "site"]  # no staging left


def test_missing_katex_fails_with_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(site_build, "KATEX", tmp_path / "nowhere")
    with pytest.raises(BuildError, match="npm ci"):
        site_build.build(tmp_path / "site")
    assert not (tmp_path / "site").exists()
