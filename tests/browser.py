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
