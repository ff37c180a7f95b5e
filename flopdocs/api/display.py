"""How results show themselves in Jupyter: HTML (every user string escaped), Markdown,
plain text and, when pandas is installed, a ``DataFrame``.

Pure functions from an :class:`~flopdocs.counting.analysis.Analysis` and the tree to show (or a
list of rows) to a string; :mod:`flopdocs.api.front` hangs them on its result types as
``_repr_html_``, ``_repr_markdown_``, ``__str__`` and ``to_frame``.  The breakdown's
rows and numbers are :mod:`flopdocs.api.report`'s (the CLI's table and ``--format md``);
only the HTML layout is written here.

>>> from flopdocs.api.display import html_table
>>> print(html_table(["model", "FLOPs"], [["<script>", 1]], numeric=(1,)))
<table>
<thead><tr><th style="text-align:left">model</th><th style="text-align:right">FLOPs</th></tr></thead>
<tbody>
<tr><td style="text-align:left">&lt;script&gt;</td><td style="text-align:right">1</td></tr>
</tbody>
</table>
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from flopdocs.base.text import aligned
from flopdocs.counting.analysis import Analysis
from flopdocs.api.report import (PATH_SEPARATOR, md_escape, table_rows, human, human_params, markdown,
                                 table)
from flopdocs.structure.tree import Node

__all__ = ["html_report", "html_table", "markdown_report", "markdown_table", "pandas",
           "text_report", "text_table", "frame_rows"]


def pandas():
    """The ``pandas`` module, or an ``ImportError`` saying how to get it (flopdocs does not
    depend on pandas: only ``to_frame()`` needs it)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_frame() needs pandas, which flopdocs does not install: "
                          "pip install pandas (everything else works without it)") from None
    return pd


def _cell(value: Any) -> str:
    """A table cell as escaped HTML text: ints with thousands separators."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape(str(value))


def html_table(header: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Iterable[int] = (),
               indent: Sequence[int] | None = None) -> str:
    """A plain HTML table; columns in ``numeric`` right-aligned, every cell escaped.
    ``indent``: each row's first cell's depth (1.2em per level)."""
    numeric = set(numeric)

    def align(i: int) -> str:
        return "right" if i in numeric else "left"

    head = "".join(f'<th style="text-align:{align(i)}">{html.escape(h)}</th>' for i, h in enumerate(header))
    body = []
    for j, row in enumerate(rows):
        cells = []
        for i, v in enumerate(row):
            pad = f";padding-left:{1.2 * indent[j]:.1f}em" if indent and i == 0 and indent[j] else ""
            cells.append(f'<td style="text-align:{align(i)}{pad}">{_cell(v)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *body, "</tbody>",
                      "</table>"])


def _label(path: tuple[str, ...], n: Node, a: Analysis) -> str:
    label = n.name if path else a.config.name
    return label + (f"  (×{n.times})" if n.times != 1 and path else "")


def html_report(a: Analysis, tree: Node, mode: str = "forward") -> str:
    """A result in Jupyter: its summary line, then the breakdown as an HTML table."""
    summary = (f"<p><strong>{html.escape(a.config.name)}</strong> · convention "
               f"<code>{html.escape(a.convention)}</code> · {html.escape(mode)} · "
               f"<strong>{a.total:,}</strong> FLOPs ({human(a.total)}) · {a.per_token:,} per token · "
               f"{a.params.total:,} parameters ({human_params(a.params.total)})</p>")
    rows, depth = [], []
    for path, n, flops, frac in table_rows(a, tree):
        rows.append([_label(path, n, a), flops, f"{100 * frac:.4f}%", human(flops)])
        depth.append(len(path))
    return (f'<div class="flopdocs-result">\n{summary}\n'
            + html_table(["operation", "FLOPs", "share", ""], rows, numeric=(1, 2), indent=depth)
            + "\n</div>")


def text_report(a: Analysis, tree: Node) -> str:
    """The CLI's terminal table (``flopdocs report``)."""
    return table(a, tree)


def markdown_report(a: Analysis, tree: Node) -> str:
    """The CLI's ``--format md`` (Markdown-escaped: ``<script>`` shows as typed)."""
    return markdown(a, tree)


def frame_rows(a: Analysis, tree: Node) -> list[dict[str, Any]]:
    """The breakdown's rows with the columns of ``--format csv``: path (names joined by
    ``' > '``), name, depth, leaf, flops (exact int), share."""
    return [{"path": PATH_SEPARATOR.join(path), "name": n.name if path else "", "depth": len(path),
             "leaf": n.is_leaf, "flops": flops, "share": frac}
            for path, n, flops, frac in table_rows(a, tree)]


def _text(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def text_table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Iterable[int] = ()) -> str:
    """Rows as aligned plain text, a rule under the header; ``numeric`` columns right-aligned."""
    cells = [list(header)] + [[_text(v) for v in r] for r in rows]
    return "\n".join(aligned(cells, right=numeric, rule=True)) + "\n"


def _md(value: Any) -> str:
    return _text(value) if isinstance(value, int) else md_escape(_text(value))


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Iterable[int] = ()) -> str:
    """Rows as a Markdown table, text cells escaped as ``--format md`` escapes them."""
    numeric = set(numeric)
    out = ["| " + " | ".join(_md(h) for h in header) + " |",
           "|" + "|".join("---:" if i in numeric else "---" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(_md(v) for v in r) + " |" for r in rows]
    return "\n".join(out) + "\n"
