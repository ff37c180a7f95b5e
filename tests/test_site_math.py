"""Every formula the site publishes is valid KaTeX: rendered by the pinned KaTeX
(node_modules/katex) with throwOnError, so a typo in a template or a LaTeX string
sympy prints that KaTeX cannot typeset fails here, not silently in the browser."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flopdocs.base.resources import KATEX

CHECK = r"""
const katex = require(process.argv[1]);
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
const bad = [];
for (const [where, tex, display] of items) {
  try { katex.renderToString(tex, {displayMode: display, throwOnError: true}); }
  catch (e) { bad.push(where + ": " + e.message); }
}
process.stdout.write(JSON.stringify(bad));
"""


@pytest.fixture(scope="module")
def formulas(site) -> list[tuple[str, str, bool]]:
    """(page, LaTeX, display?) of every formula on the session's built site."""
    out = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        rel = str(page.relative_to(site))
        for m in re.finditer(r'<span class="arithmatex">\\\((.*?)\\\)</span>', text, re.S):
            out.append((rel, html.unescape(m.group(1)), False))
        for m in re.finditer(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', text, re.S):
            out.append((rel, html.unescape(m.group(1)), True))
    return out


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_every_formula_renders_with_katex(formulas):
    assert len(formulas) > 200
    assert any(display for _, _, display in formulas) and any(not d for _, _, d in formulas)
    r = subprocess.run(["node", "-e", CHECK, str(KATEX / "katex.min.js")], input=json.dumps(formulas),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    bad = json.loads(r.stdout)
    assert not bad, "\n".join(bad[:10])


def test_no_formula_adds_a_negative_term(formulas):
    # a long sum is set one term per line (derive.tex_lines): a negative term as "&- x",
    # never "&+ -x". The conventions page's corrected - seed has three negative terms.
    negative = [(where, tex) for where, tex, _ in formulas if re.search(r"&\s*-\s*\S", tex)]
    assert any(where == "conventions.html" for where, _ in negative)
    bad = [(where, tex) for where, tex, _ in formulas if re.search(r"\+\s*-", tex)]
    assert not bad, bad[:3]
