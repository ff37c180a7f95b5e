"""Text every stage shares: stable slugs and anchors of names, aligned plain-text tables.

Nothing here formats numbers or escapes for HTML (the site's :mod:`flopdocs.site.text` does).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A stable URL fragment of ``[a-z0-9-]``: ``'Llama 2 7B'`` -> ``llama-2-7b``."""
    return _SLUG.sub("-", text.lower()).strip("-")


def anchor(name: str) -> str:
    """A node's or layer's stable anchor: CamelCase split, then :func:`slug`.

    ``'Q * WQ'`` -> ``q-wq``, ``'MultiHeadAttention'`` -> ``multi-head-attention``.
    """
    return slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name))


def aligned(rows: Sequence[Sequence[str]], right: Iterable[int] = (), rule: bool = False) -> list[str]:
    r"""Cells (strings) as the lines of a plain-text table: columns two spaces apart, each as
    wide as its widest cell, the ``right`` ones right-aligned, trailing blanks dropped;
    ``rule``: a line of dashes under the first row (the header).

    >>> print("\n".join(aligned([("name", "n"), ("a", "10")], right=(1,), rule=True)))
    name   n
    ----  --
    a     10
    """
    right = set(right)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(c.rjust(w) if i in right else c.ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if rule and j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
