"""Helpers for the browser tests: Debian's Chromium through Playwright, the site on 127.0.0.1.

Chromium is the system's (``apt-get install chromium``), never ``playwright install``.
Without it (or without Playwright) the browser tests skip locally and fail under CI
(``CI`` set): CI must never pass by skipping them.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("FLOPDOCS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        # nothing but this machine resolves: a request to another host fails here (and the
        # test, which sees every request, names it)
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
ARTIFACTS = Path(os.environ.get("FLOPDOCS_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts"))


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as p:
        # Playwright gives every launch a fresh temporary profile of its own
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D102
        pass


@contextlib.contextmanager
def serve(root: Path):
    """The directory on http://127.0.0.1:<free port>/ (its URL) while the block runs."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Watch:
    """A page's console errors, page errors and requests to other hosts."""

    def __init__(self, page, own: str) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.own = own
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", self._request)  # listened to, not intercepted: no round trip

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.own) or url.split(":", 1)[0] in ("data", "blob", "about")):
            self.foreign.append(url)

    def take(self) -> list[str]:
        out = self.errors + [f"request to another host: {u}" for u in self.foreign]
        self.errors, self.foreign = [], []
        return out


#: Per page: math elements, those without a rendered .katex, KaTeX errors, width, small figure text.
PROBE = """() => {
  const math = [...document.querySelectorAll('article .arithmatex, .md-content .arithmatex')];
  const raw = math.filter(e => !e.querySelector('.katex')).map(e => e.textContent.slice(0, 80));
  const bad = [...document.querySelectorAll('.katex-error')].map(e => e.textContent.slice(0, 80));
  const small = [];
  for (const svg of document.querySelectorAll('svg.fd-chart, svg.fd-figure')) {
    const vb = svg.viewBox.baseVal;
    // a figure in a tab not shown has no box: measure it at the width it would get
    // (100% of the column, at most its CSS max-width)
    let width = svg.getBoundingClientRect().width;
    if (!width) {
      const column = svg.closest('article') || document.body;
      const css = getComputedStyle(svg).maxWidth;  // "480px", or "min(480px, 100%)" unresolved
      const px = css.match(/([0-9.]+)px/);
      const max = px ? parseFloat(px[1]) : Infinity;
      width = Math.min(max, column.clientWidth);
    }
    const scale = vb && vb.width ? width / vb.width : 1;
    for (const t of svg.querySelectorAll('text')) {
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < 10) { small.push(t.textContent + ' ' + px.toFixed(1) + 'px'); }
    }
  }
  return {math: math.length, raw, bad, small,
          width: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)};
}"""


#: Every tab's content shown, so the tables in tabs not selected are measured too.
SHOW_TABS = ".tabbed-set > .tabbed-content > .tabbed-block { display: block !important; }"

#: Per page at 390 px: the problems of its tables and charts, one line each: each table
#: wider than the box it scrolls in keeps its first column in view (sticky, still at the
#: left scrolled to its far end) and needs at most two screens sideways; each chart's lines
#: differ by dash or marker (not colour alone), at least 3:1 on white, named at their end;
#: each chart point that names a model is focusable and named (touch, keyboard).
TABLES_AND_CHARTS = """() => {
  const out = [];
  const scroller = (e) => {
    for (let c = e.parentElement; c; c = c.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(c).overflowX)) return c;
    }
    return document.scrollingElement;
  };
  for (const table of document.querySelectorAll('article table')) {
    const box = scroller(table);
    if (box.scrollWidth <= box.clientWidth + 1) continue;  // not wide: nothing to scroll
    const head = [...table.querySelectorAll('th')].slice(0, 3).map((h) => h.textContent.trim()).join(' | ');
    const loose = [...table.rows].filter((r) => r.cells.length > 1
      && getComputedStyle(r.cells[0]).position !== 'sticky').length;
    if (loose) out.push(`table "${head}": first column not sticky in ${loose} rows`);
    // and it stays in view: scrolled to its far end, the first cell is still at the left
    const cell = table.rows[table.rows.length - 1].cells[0];
    box.scrollLeft = box.scrollWidth;
    const at = cell.getBoundingClientRect().left - box.getBoundingClientRect().left;
    box.scrollLeft = 0;
    if (at < -1) out.push(`table "${head}": its first column scrolls away (${Math.round(at)} px)`);
    if (box.scrollWidth > 2 * box.clientWidth) {
      out.push(`table "${head}": ${box.scrollWidth} px in a ${box.clientWidth} px box (over two screens)`);
    }
  }
  const luminance = (rgb) => {
    const c = rgb.match(/[0-9.]+/g).slice(0, 3).map((v) => {
      v = Number(v) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  document.querySelectorAll('svg.fd-chart').forEach((svg, n) => {
    const name = `chart ${n + 1} ("${(svg.getAttribute('aria-label') || '').slice(0, 40)}")`;
    const lines = [...svg.querySelectorAll('polyline')];
    const looks = lines.map((p) => {
      const s = getComputedStyle(p);
      const contrast = 1.05 / (luminance(s.stroke) + 0.05);  // against white
      if (contrast < 3) out.push(`${name}: a line ${s.stroke} at ${contrast.toFixed(2)}:1 on white`);
      const series = [...p.classList].find((c) => /^fd-s[0-9]+$/.test(c));
      if (!series || !svg.querySelector(`text.fd-end.${series}`)) out.push(`${name}: a line with no label at its end`);
      return [s.strokeDasharray, s.markerStart, s.markerMid, s.markerEnd].join(' ');
    });
    if (new Set(looks).size < looks.length) out.push(`${name}: lines told apart by colour only (${looks.join('; ')})`);
    // a point naming a model: what carries a hover title inside the chart, and every dot
    const points = new Set([...svg.querySelectorAll('title')].map((t) => t.parentElement).filter((e) => e !== svg));
    svg.querySelectorAll('circle').forEach((c) => points.add(c.closest('[tabindex]') || c));
    for (const p of points) {
      const said = (p.getAttribute('aria-label') || '').trim();
      if (p.tabIndex < 0 || !said) {
        out.push(`${name}: a point not focusable or unnamed: ${p.outerHTML.slice(0, 90)}`);
      }
    }
  });
  return out;
}"""
