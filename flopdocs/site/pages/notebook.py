"""The "Use it from Python" page: the tutorial notebook (``examples/seed.ipynb``) as Markdown.

The notebook is committed executed, and ``tests/test_notebook.py`` executes it again and
requires the same outputs, so the page shows the committed cells as they are: Markdown cells
as written (headings one level down, each with an explicit anchor), code cells as fenced
Python, and each output as what Jupyter shows: a result's HTML table (escaped by
:mod:`flopdocs.api.display`), a sympy expression's LaTeX, otherwise its text.  Nothing is
executed here: the notebook is read as JSON.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from flopdocs.structure.tree import slug
from flopdocs.errors import BuildError

TITLE = "Use it from Python"
PAGE = "python.md"
_HEADING = re.compile(r"^(#{1,5}) +(.+?) *$", re.M)
_DISPLAY = re.compile(r"^\$\\displaystyle (.*)\$$", re.S)

INTRO = f"""---
title: {TITLE}
---

# {TITLE} {{ #use-it-from-python }}

flopdocs is a Python library first: `flopdocs.model(...)` takes a catalogue name, a YAML or
`config.json` path, a dict or a `Config`, and its result has the seed notebook's verbs
(`.total`, `.breakdown`, `.shares`, `.group(...)`, `.collect(...)`, ...); the README's
Python section lists them. This page is the tutorial notebook `examples/seed.ipynb`, which
redoes the seed notebook cell by cell, shown with the outputs committed with it. The tests
execute the notebook and require exactly these outputs, and check the seed's printed
numbers in them (51,248,964,096 for In [44], the shares of In [62], In [74] and In [75]).
"""


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _fence(text: str, lang: str) -> str:
    """``text`` in a code fence longer than any run of backticks inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def _markdown(source: str, seen: set[str]) -> str:
    """A Markdown cell with its headings one level down and an explicit, unique anchor each."""

    def heading(m: re.Match) -> str:
        base = slug(m.group(2).replace("`", "")) or "section"
        name, i = base, 2
        while name in seen:
            name, i = f"{base}-{i}", i + 1
        seen.add(name)
        return f"#{m.group(1)} {m.group(2)} {{ #{name} }}"

    return _HEADING.sub(heading, source)


def _output(out: dict) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        return _fence(_text(out.get("text", "")), "text")
    if kind not in ("execute_result", "display_data"):
        raise BuildError(f"{PAGE}: the notebook holds an output of type {kind!r} (an error?): "
                         "run python examples/execute.py --write")
    data = out.get("data", {})
    if "text/html" in data:
        return f'<div class="flopdocs-output">\n{_text(data["text/html"]).strip()}\n</div>'
    if "text/latex" in data and (m := _DISPLAY.match(_text(data["text/latex"]).strip())):
        return f"$$\n{m.group(1)}\n$$"
    return _fence(_text(data.get("text/plain", "")), "text")


def page(path: Path) -> str:
    """The page's Markdown, from the notebook file at ``path``."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BuildError(f"{path}: cannot read the tutorial notebook: {e}") from None
    seen: set[str] = {"use-it-from-python"}
    parts = [INTRO]
    for cell in cells:
        source = _text(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            parts.append(_markdown(source, seen))
        elif cell.get("cell_type") == "code":
            parts.append(_fence(source, "python"))
            parts.extend(_output(o) for o in cell.get("outputs", []))
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"
