"""The home page: the default convention's summary, every model with its largest part,
the layers.  Nothing here writes files.
"""
from __future__ import annotations

from flopdocs import conventions
from flopdocs.site import figures
from flopdocs.site.gather import SiteData
from flopdocs.site.pages.model import largest, under_conventions
from flopdocs.site.pages.symbolic import crossover_row

PAGE = "index.md"


#: The model the Home page's three answers are worked for, when the catalogue has it.
EXAMPLE = "llama-2-7b"
EXAMPLE_TOKENS = 2 * 10**12


def _questions(data: SiteData) -> dict | None:
    """The three questions people bring, answered for one model (Llama 2 7B, else the first
    decoder the default convention and 6N both count in training): its training FLOPs per
    token and for 2·10¹² tokens, its attention's crossover length, its forward pass under
    every convention.  None when no model fits."""
    fits = [m for m in data.models if not m.config.is_encoder_decoder and m.config.get("window") is None
            and not isinstance(m.counts.get((conventions.DEFAULT, "training")), str)
            and not isinstance(m.counts.get(("6N", "training")), str)]
    if not fits:
        return None
    m = next((x for x in fits if x.slug == EXAMPLE), fits[0])
    ours, six = m.counts[conventions.DEFAULT, "training"], m.counts["6N", "training"]
    under = under_conventions(m)
    low, high = min(under, key=lambda c: c["total"]), max(under, key=lambda c: c["total"])
    return {"m": m, "per_token": ours.per_token, "six": six.per_token, "tokens": EXAMPLE_TOKENS,
            "run": ours.per_token * EXAMPLE_TOKENS, "less": 1 - six.per_token / ours.per_token,
            "crossover": crossover_row(m), "low": low, "high": high, "n": len(under),
            "spread": high["total"] / low["total"] - 1}


def page(env, data: SiteData, cite=None) -> tuple[str, str]:
    """The home page: every model's largest share (no Cite box)."""
    rows = []
    for m in data.models:
        name, frac = largest(m)
        rows.append({"m": m, "largest": name, "largest_label": figures.label(name), "share": frac})
    return PAGE, env.get_template("index.md.j2").render(
        summary=data.convention.SUMMARY, convention=data.convention.NAME, rows=rows,
        layers=data.layers, q=_questions(data),
    )
