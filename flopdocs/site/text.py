"""Text that reaches HTML through Markdown: escaped for both, and formatted numbers."""
from __future__ import annotations

import html
import json
import re

from flopdocs.base.text import markdown_text


def md_text(value: object, keep: str = "") -> str:
    """Plain text for a Markdown page: HTML-escaped, Markdown specials as entities
    (but those in ``keep``; :func:`flopdocs.base.text.markdown_text`).

    ``'<script>'`` -> ``'&lt;script&gt;'``; ``'a_b|c'`` -> ``'a&#95;b&#124;c'``.  The
    entities render as the original characters, so the reader sees the text as typed.
    """
    return markdown_text(value, entities=True, keep=keep)


def md_cell(value: object) -> str:
    """:func:`md_text` for a cell of a Markdown table kept readable as Markdown source
    (``CHANGELOG.md``): an underscore kept as it is (``max_positions``; at most emphasis),
    every character that could end the cell (``|``), open a link, code or markup escaped."""
    return md_text(value, keep="_")


#: What a YAML double-quoted scalar may not hold as itself: controls, DEL and C1, lone
#: surrogates, U+FFFE/FFFF, and the line separators PyYAML folds (U+2028, U+2029).
_YAML_UNSAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def front_matter_text(value: object) -> str:
    """Text for a page's front matter (``title: ...``): HTML-escaped, as a YAML
    double-quoted string that reads back exactly.

    JSON's quoting, but characters outside the Basic Multilingual Plane written as
    themselves: ``json.dumps``' default ``\\ud83d\\udc69`` (a surrogate pair) is not
    something YAML reads back, and the whole front matter would be lost.
    """
    quoted = json.dumps(html.escape(str(value)), ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def bibtex_text(value: object) -> str:
    """Text for a BibTeX field: braces and backslashes dropped, one line."""
    return " ".join(str(value).replace("{", "").replace("}", "").replace("\\", "").split())


def num(n: int) -> str:
    """An exact count with thousands separators: ``51,248,964,096``."""
    return f"{int(n):,}"


def signed_pct(x: float) -> str:
    """A relative difference with its sign and two decimals: ``+0.06%``, ``-3.00%``; from
    +1000 % on, as a multiple (``×100,514``), which reads where ``+10051300.00%`` does not."""
    if x >= 10:
        return f"×{1 + x:,.0f}" if x >= 99 else f"×{1 + x:.1f}"
    return f"{100 * x:+.2f}%"


def times(x: float) -> str:
    """A ratio as a multiple, three significant digits: ``×1.02``, ``×0.886``, ``×2,180``."""
    return f"×{x:,.0f}" if x >= 1000 else f"×{x:.3g}"


def pct(x: float) -> str:
    """A share as a percentage with four decimals, as the report prints it."""
    return f"{100 * x:.4f}%"
