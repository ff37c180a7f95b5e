"""The built site in a real browser (Debian's Chromium through Playwright).

One browser and the session's one built site (``site``); every page is opened over http
at a phone's 390 px, and a page of each kind from disk (``file://``).  Each page: no console or page error, no request to another host, every
``.arithmatex`` typeset by KaTeX without error, nothing wider than the viewport, figure
text at least 10 px.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser import ARTIFACTS, PROBE, SHOW_TABS, TABLES_AND_CHARTS, Watch, chromium, serve

PHONE = {"width": 390, "height": 844}


def _pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not p.name.startswith("."))


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


#: axe-core, pinned in package.json (npm ci), run in each page as the tests load it.
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"

#: KaTeX draws a formula twice: MathML (what assistive technology reads) and, aria-hidden,
#: thousands of positioned spans (``.katex-html``).  axe-core takes minutes over the spans of
#: a page of formulas (the audit pages: ~40,000 elements), so the every-page pass takes the
#: spans out first; the pass over a page of each kind keeps them.
STRIP_MATH = "() => document.querySelectorAll('.katex-html').forEach((e) => e.remove())"


def _axe(page, keep_math: bool = True, contrast: bool = True) -> list[str]:
    """axe-core's violations on the page (WCAG A and AA, and best practices), one line each;
    without ``contrast``, all but colour contrast (half of axe's time: a page's colours are
    its template's and the stylesheet's, checked on a page of each kind)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run npm ci")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    if not keep_math:
        page.evaluate(STRIP_MATH)
    # aria-dialog-name: Material's search dialog; naming it stops its search answering
    found = page.evaluate("(contrast) => axe.run(document, {resultTypes: ['violations'],"
                          " rules: {'aria-dialog-name': {enabled: false}, 'color-contrast': {enabled: contrast}}})"
                          ".then((r) => r.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' +"
                          " v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')))", contrast)
    return [f"axe-core {v}" for v in found]


def _check(page, watch, url: str, phone: bool) -> list[str]:
    page.goto(url, wait_until="load")  # KaTeX runs on DOMContentLoaded: done by "load"
    probe = page.evaluate(PROBE)
    out = watch.take()
    if probe["raw"]:
        out.append(f"{len(probe['raw'])}/{probe['math']} formulas not rendered, first: {probe['raw'][0]!r}")
    if probe["bad"]:
        out.append(f"KaTeX error: {probe['bad'][0]!r}")
    if phone and probe["width"] > PHONE["width"]:
        out.append(f"{probe['width']} px wide on a {PHONE['width']} px screen")
    if probe["small"]:
        out.append(f"figure text under 10 px: {probe['small'][:3]}")
    return [f"{url}: {p}" for p in out]


def test_every_page_over_http_on_a_phone(site, browser):
    """Over http at 390 px: math rendered, no error, no other host, nothing too wide;
    axe-core (pinned in package.json) finds no violation (every page's content and
    Material's chrome, themed in flopdocs.css and chrome.js); every wide table (tabs not
    shown included) and chart as TABLES_AND_CHARTS says."""
    tables = charts = 0
    with serve(site) as base:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        watch = Watch(page, base)
        problems = []
        for rel in _pages(site):
            found = _check(page, watch, base + rel, phone=True)
            problems += found or [f"{rel}: {v}" for v in _axe(page, keep_math=False, contrast=False)]
            page.add_style_tag(content=SHOW_TABS)
            problems += [f"{rel}: {p}" for p in page.evaluate(TABLES_AND_CHARTS)]
            tables += page.locator("article table").count()
            charts += page.locator("svg.fd-chart polyline, svg.fd-chart circle").count()
        page.wait_for_timeout(300)
        problems += watch.take()  # anything the last page asked for late
        context.close()
    # the probe saw something: the pages have tables, lines and points to look at
    assert tables > 200 and charts > 100, (tables, charts)
    assert not problems, "\n".join(problems)


def test_a_scatter_point_reached_by_the_keyboard_shows_its_model(site, browser):
    with serve(site) as base:
        page = browser.new_context(viewport=PHONE).new_page()
        page.goto(base + "compare.html", wait_until="load")
        point = page.locator("svg.fd-figure .fd-point").first
        point.focus()
        assert point.locator(".fd-tip").is_visible()
        assert point.locator(".fd-tip").text_content() in point.get_attribute("aria-label")


def _kinds(site: Path) -> list[str]:
    """One page of each kind (each template: Home, a model, a layer, a convention, an
    audit, ..., the 404), the smallest file of its kind: axe-core over KaTeX's spans takes
    seconds a formula page, so every kind rather than every page keeps them."""
    smallest: dict[str, tuple[int, str]] = {}
    for rel in _pages(site):
        kind = rel.split("/")[0] if "/" in rel else rel
        size = (site / rel).stat().st_size
        smallest[kind] = min(smallest.get(kind, (size, rel)), (size, rel))
    return sorted(rel for _, rel in smallest.values())


def test_no_accessibility_violation_with_the_math_and_the_colours(site, browser):
    """axe-core, every rule, finds no violation on a page of each kind at 390 px and at
    1280 px, KaTeX's spans kept (the every-page pass above takes them out, and leaves
    colour contrast to this one): the content and Material's chrome (themed in
    flopdocs.css and chrome.js)."""
    problems = []
    with serve(site) as base:
        for viewport in (PHONE, {"width": 1280, "height": 900}):
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            for rel in _kinds(site):
                page.goto(base + rel, wait_until="load")
                problems += [f"{rel} at {viewport['width']} px: {v}" for v in _axe(page)]
            context.close()
    assert len(_kinds(site)) >= 12
    assert not problems, "\n".join(problems)


def test_a_page_of_each_kind_from_disk(site, browser):
    """Opened from disk (a downloaded copy): the math renders, nothing else is fetched, on a
    page of each kind (every page's links, scripts and images resolve to files:
    tests/test_site_links.py)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = site.resolve().as_uri() + "/"
    watch = Watch(page, base)
    problems = []
    for rel in _kinds(site):
        problems += _check(page, watch, base + rel, phone=False)
    page.wait_for_timeout(300)
    problems += watch.take()
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_math_after_clicking_a_link(site, browser, scheme):
    """Material's instant navigation swaps the page in place: the new page's math renders."""
    with serve(site) as http_base:
        base = http_base if scheme == "http" else site.resolve().as_uri() + "/"
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        watch = Watch(page, base)
        page.goto(base + "index.html", wait_until="load")
        page.click("article a[href$='layers/multi-head-attention.html']")  # instant nav makes hrefs absolute
        page.wait_for_url("**/layers/multi-head-attention.html")
        page.wait_for_function("document.querySelector('article .arithmatex .katex') !== null")
        probe = page.evaluate(PROBE)
        assert probe["math"] > 10 and not probe["raw"] and not probe["bad"], probe
        assert not watch.take()
        context.close()


#: What a reader types, and the page it must find among the first results.
SEARCHES = [("multi-head attention", "layers/multi-head-attention.html"),
            ("memory", "memory.html"),
            ("MFU", "memory.html"),
            ("why attention grows with length", "index.html"),
            ("whose formula is right", "index.html")]


def test_search_over_http_finds_pages_by_their_plain_names(site, browser):
    """The search box finds a page by its plain-language name among the first five pages
    (served; from disk it cannot run, and About says so)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    found = {}
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        watch = Watch(page, base)
        page.goto(base + "index.html", wait_until="load")
        page.click("input.md-search__input")
        for query, _ in SEARCHES:
            # the index loads in a worker; a query typed before it is ready may go
            # unanswered on a busy machine, so it is typed again until results show (90 s).
            # Typed key by key: Material searches on keyup (fill() sends none)
            deadline = time.monotonic() + 90
            while True:
                page.fill("input.md-search__input", "")
                page.locator("input.md-search__input").press_sequentially(query)
                try:
                    page.wait_for_selector(".md-search-result__item", timeout=5_000)
                    break
                except PlaywrightTimeout:
                    if time.monotonic() > deadline:
                        raise
            page.wait_for_timeout(300)  # the results of the whole query, not of its first letters
            # the pages of the results, in order, each once (a page's sections follow it)
            found[query] = page.eval_on_selector_all(
                ".md-search-result__item > a", "as => [...new Set(as.map((a) => a.pathname))].slice(0, 5)")
        assert not watch.take()
        context.close()
    missed = [f"{q!r}: {want} not in {found[q]}" for q, want in SEARCHES
              if not any(h.endswith("/" + want) for h in found[q])]
    assert found["multi-head attention"][0].endswith("/layers/multi-head-attention.html"), found
    assert not missed, "\n".join(missed)
    assert "only the <strong>search box</strong> is missing" in (site / "about.html").read_text()


#: The pages a reader meets first, as artifacts at both widths (looked at before a release).
SHOTS = [("index.html", "home"), ("models/llama-2-7b.html", "model"),
         ("calculator.html#model=llama-2-7b&mode=training&convention=6N&tokens=2e12&accelerator=h100-sxm"
          "&devices=512&mfu=40", "calculator"),
         ("conventions.html", "conventions"), ("layers/multi-head-attention.html", "derivation"),
         ("compare.html", "compare")]


def test_screenshots(site, browser):
    """Home, a model page, the calculator (an address filled in), the conventions table, a
    derivation and Compare at 1280 px and at 390 px, as test artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve(site) as base:
        for viewport, width in ((PHONE, "phone"), ({"width": 1280, "height": 900}, "desktop")):
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            for rel, name in SHOTS:
                page.goto(base + rel, wait_until="networkidle")
                if name == "calculator":
                    page.wait_for_function("document.querySelector('[data-out=total]').dataset.value")
                path = ARTIFACTS / f"{name}-{width}.png"
                page.screenshot(path=str(path))
                assert path.stat().st_size > 10_000
            context.close()


def test_the_watch_sees_a_request_to_another_host(site, browser):
    """The check itself: a page asking another host is reported (and the request fails)."""
    with serve(site) as base:
        context = browser.new_context()
        page = context.new_page()
        watch = Watch(page, base)
        page.goto(base + "index.html", wait_until="load")
        page.evaluate("fetch('https://api.github.com/repos/flopdocs/flopdocs').catch(() => null)")
        page.wait_for_timeout(300)
        assert any("request to another host: https://api.github.com/" in p for p in watch.take())
        context.close()


def test_compare_sorts_by_a_header_and_keeps_the_model_column(site, browser):
    """Compare: a header click sorts (numbers as numbers, names naturally); the model column sticks."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site.resolve().as_uri() + "/compare.html", wait_until="load")
    rows = "table.fd-sortable tbody tr"
    values = lambda i: page.eval_on_selector_all(rows, f"rs => rs.map(r => r.children[{i}].dataset.sort)")
    page.click("table.fd-sortable thead th:nth-child(3) button")  # parameters, ascending
    params = [int(v) for v in values(2)]
    assert params == sorted(params)
    page.click("table.fd-sortable thead th:nth-child(1) button")  # model, ascending: natural
    names = values(0)
    assert names.index("Llama 2 7B") < names.index("Llama 2 13B") < names.index("Llama 2 70B")
    assert page.eval_on_selector("table.fd-sortable tbody th", "e => getComputedStyle(e).position") == "sticky"
    context.close()
