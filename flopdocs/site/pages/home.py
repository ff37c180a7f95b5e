"""The home page: the default convention's summary, every model with its largest part,
the layers.  Nothing here writes files.
"""
from __future__ import annotations

from flopdocs.site import figures
from flopdocs.site.gather import SiteData
from flopdocs.site.pages.model import largest

PAGE = "index.md"


def page(env, data: SiteData, cite=None) -> tuple[str, str]:
    """The home page: every model's largest share (no Cite box)."""
    rows = []
    for m in data.models:
        name, frac = largest(m)
        rows.append({"m": m, "largest": name, "largest_label": figures.label(name), "share": frac})
    return PAGE, env.get_template("index.md.j2").render(
        summary=data.convention.SUMMARY, convention=data.convention.NAME, rows=rows,
        layers=data.layers,
    )
