"""Figures as inline SVG, written by hand: deterministic text, no plotting library.

Colours come from CSS classes (``fd-bar``, ``fd-label``), so the figures follow the
site's light/dark palette.  Every label is escaped for HTML and for Markdown.
"""
from __future__ import annotations

from flopdocs.site.text import md_text

WIDTH = 480  # at most 480 px wide (flopdocs.css): 14 px text stays >= 10 px down to 343 px
LABEL_W = 200
VALUE_W = 70
ROW_H = 24
BAR_H = 14
PAD = 6


def svg_num(x: float) -> str:
    """Coordinates with at most one decimal, so the output is stable text."""
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def label(name: str) -> str:
    """A tree node's name as a figure label: the output projection "* WO" (the
    concatenated heads times WO) reads "concat(heads) * WO"; "_" as a space."""
    if name.startswith("* "):
        name = "concat(heads) " + name
    return name.replace("_", " ")


def bar_chart(rows: list[tuple[str, float]], title: str) -> str:
    """A horizontal bar chart of shares (0..1), one bar per ``(label, share)``, as one line.

    Scaled to the largest share; each bar is labelled with its percentage.
    """
    top = max((s for _, s in rows), default=0.0) or 1.0
    span = WIDTH - LABEL_W - VALUE_W - 2 * PAD
    height = ROW_H * len(rows) + 2 * PAD
    parts = [
        f'<svg class="fd-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{md_text(title)}">',
        f"<title>{md_text(title)}</title>",
    ]
    for i, (name, share) in enumerate(rows):
        y = PAD + i * ROW_H
        w = span * share / top
        cy = y + ROW_H / 2
        parts.append(
            f'<text class="fd-label" x="{LABEL_W - PAD}" y="{svg_num(cy)}" text-anchor="end" '
            f'dominant-baseline="middle">{md_text(label(name))}</text>'
            f'<rect class="fd-bar" x="{LABEL_W}" y="{svg_num(y + (ROW_H - BAR_H) / 2)}" '
            f'width="{svg_num(max(w, 0.5))}" height="{BAR_H}"/>'
            f'<text class="fd-value" x="{svg_num(LABEL_W + w + PAD)}" y="{svg_num(cy)}" '
            f'dominant-baseline="middle">{100 * share:.2f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
