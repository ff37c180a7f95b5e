"""The Compare page: the few columns people compare, natural order, sortable, one screen wide."""
from __future__ import annotations

import re

from flopdocs.site import figures
from flopdocs.site.pages import compare


def test_natural_order():
    names = ["Llama 2 70B", "Llama 2 7B", "Llama 2 13B", "GPT-3 175B", "GPT-3 2.7B"]
    assert sorted(names, key=compare.natural_key) == [
        "GPT-3 2.7B", "GPT-3 175B", "Llama 2 7B", "Llama 2 13B", "Llama 2 70B"]


def test_compare_page_columns_and_order(site):
    html = (site / "compare.html").read_text(encoding="utf-8")
    table = html[html.index('<table class="fd-sortable">'):html.index("</table>")]
    head = table[:table.index("</thead>")]
    assert head.count("<th ") == 5 + len(compare.COLUMNS) <= 10  # not 24 columns
    for column in ("parameters", "forward / token", "training / token", "attention scores", "FFN"):
        assert column in head
    names = re.findall(r'<th scope="row" data-sort="([^"]*)"', table)
    assert names.index("Llama 2 7B") < names.index("Llama 2 13B") < names.index("Llama 2 70B")
    # every row's shares add up to 100% (within the rounding of four one-decimal cells)
    for row in table.split("<tr>")[2:]:
        shares = [float(x) for x in re.findall(r'<td data-sort="([0-9.e-]+)">[0-9.]+%', row)]
        assert len(shares) == len(compare.COLUMNS) and abs(sum(shares) - 1) < 1e-9, row[:80]
    assert "assets/compare.js" in html and (site / "assets" / "compare.js").is_file()


def test_figure_labels_read_as_words():
    assert figures.label("* WO") == "concat(heads) * WO"
    assert figures.label("LayerNorm_Final") == "LayerNorm Final"
