"""The Conventions page: every convention side by side (its difference from ours, its
training FLOPs per model) and which convention each paper uses.  One convention's own
page is :mod:`flopdocs.site.pages.conventions`'; nothing here writes files.
"""
from __future__ import annotations

import sympy

from flopdocs import conventions
from flopdocs.structure.tree import anchor
from flopdocs.site import derive
from flopdocs.site.gather import SiteData
from flopdocs.site.pages import conventions as conventions_pages, papers
from flopdocs.site.addresses import TITLE

PAGE = "conventions.md"


def page(env, data: SiteData, cite) -> tuple[str, str]:
    """The Conventions page: every convention, its difference from ours, the papers."""
    default = data.convention
    base_total = sympy.expand(default.build().total)
    sections = []
    for conv in data.conventions:
        tree = conventions.is_tree(conv)
        diff = sympy.expand(conv.build().total - base_total) if tree else 0
        sections.append({"name": conv.NAME, "anchor": anchor(conv.NAME), "title": conv.TITLE,
                         "citation": conv.CITATION, "summary": conv.SUMMARY,
                         "modes": ", ".join(conv.MODES), "tree": tree,
                         "aliases": [a for a, n in conventions.ALIASES.items() if n == conv.NAME],
                         "default": conv is default, "page": conventions_pages.page_of(conv),
                         "diff": derive.tex_lines(diff) if diff != 0 else ""})
    names = [c.NAME for c in data.conventions]
    rows = []
    for m in data.models:
        base = m.counts[default.NAME, "training"]
        cells = []
        for name in names:
            a = m.counts[name, "training"]
            if isinstance(a, str):
                cells.append({"value": None, "ratio": None, "refused": a})
            else:
                cells.append({"value": a.per_token, "ratio": a.total / base.total, "refused": ""})
        rows.append({"m": m, "cells": cells})
    links = {c.NAME: conventions_pages.page_of(c) for c in data.conventions}
    claims = [{**p, "page": links.get(p["convention"], "")} for p in papers.PAPERS]
    return PAGE, env.get_template("conventions.md.j2").render(
        sections=sections, rows=rows, names=names, papers=claims, as_of=papers.AS_OF, links=links,
        cite=cite(PAGE, f"{TITLE}: FLOP counting conventions", "flopdocs-conventions"))
