"""Text every stage shares: stable slugs and anchors of names, aligned plain-text tables,
plain text escaped for Markdown.

Nothing here formats numbers (:mod:`flopdocs.api.report`, :mod:`flopdocs.site.text` do).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_SLUG = re.compile(r"[^a-z0-9]+")

#: Characters Markdown (and arithmatex, attr_list, tables) could act on inline.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]#|~^$")
#: What else a backslash must guard where no HTML escaping follows: the starts of blocks
#: and emphasis-like runs, and inline HTML.
_UNESCAPED_HTML = frozenset("()+-.!<>&")


def markdown_text(value: object, *, entities: bool = False, keep: str = "") -> str:
    r"""Plain text for Markdown, shown as typed.

    By default (``flopdocs report --format md``, the notebook's tables: Markdown a reader
    may see raw) every character Markdown or inline HTML could act on is backslash-escaped:
    ``'<a_b>'`` -> ``'\<a\_b\>'``.  With ``entities`` (the site's pages: the text also
    reaches HTML) it is HTML-escaped, the Markdown specials written as numeric entities
    and control characters as spaces (the specials in ``keep`` left as they are):
    ``'<a_b>'`` -> ``'&lt;a&#95;b&gt;'``.

    >>> markdown_text("<a_b>"), markdown_text("<a_b>", entities=True)
    ('\\<a\\_b\\>', '&lt;a&#95;b&gt;')
    """
    if not entities:
        return "".join("\\" + ch if ch in MARKDOWN_SPECIAL or ch in _UNESCAPED_HTML else ch
                       for ch in str(value))
    import html  # only the site's pages need it: report's import stays as it was

    out = []
    for ch in str(value):
        if ch in "&<>\"'":
            out.append(html.escape(ch, quote=True))
        elif (ch in MARKDOWN_SPECIAL and ch not in keep) or ord(ch) < 32:
            out.append(f"&#{ord(ch)};" if ord(ch) >= 32 else " ")
        else:
            out.append(ch)
    return "".join(out)


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
