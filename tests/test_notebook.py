"""The tutorial notebook (examples/seed.ipynb) executes, prints the seed's numbers, and its
committed outputs are what executing it prints now.

The notebook is committed executed, so it reads with its outputs (on a code host, and on the
site's "Use it from Python" page, rendered from the committed file); this test runs it
again in this environment's Python (nbclient and ipykernel: the ``test`` extra) and requires
every output to be the committed one, so the outputs cannot rot.  The seed's numbers are
also checked here, cell by cell (cells are found by their tags), against the values the
seed printed, so refreshing the outputs cannot carry a wrong number in.  Refresh with
``python examples/execute.py --write``.
"""
import ast
import json
import importlib.util
from pathlib import Path

import nbformat
import pytest

from test_seed import IN_74, IN_75, _flat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "seed.ipynb"
#: The mime types compared (all an output carries but widget state: there is none).
SHOWN = ("text/plain", "text/html", "text/markdown", "text/latex")


def _execute_module():
    spec = importlib.util.spec_from_file_location("flopdocs_execute", ROOT / "examples" / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def executed():
    return _execute_module().execute(NOTEBOOK)


@pytest.fixture(scope="module")
def committed():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nbformat.validate(nb)
    return nb


def _outputs(cell) -> list:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":  # one print may arrive in several messages: joined
            if out and out[-1][0] == o.name:
                out[-1] = (o.name, out[-1][1] + o.text)
            else:
                out.append((o.name, o.text))
        elif o.output_type in ("execute_result", "display_data"):
            out.append((o.output_type, {k: v for k, v in o.data.items() if k in SHOWN}))
        else:  # an error: never committed, never expected
            out.append((o.output_type, o.get("ename"), o.get("evalue")))
    return out


def _tagged(nb, tag: str):
    cells = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, tag
    return cells[0]


def _value(nb, tag: str):
    """A cell's result, read back from its text with ast.literal_eval (data, not code)."""
    return ast.literal_eval(_tagged(nb, tag).outputs[0].data["text/plain"])


def test_the_notebook_is_committed_with_the_outputs_it_prints(executed, committed):
    assert len(executed.cells) == len(committed.cells)
    code = [(c, e) for c, e in zip(committed.cells, executed.cells) if c.cell_type == "code"]
    assert len(code) >= 20
    for c, e in code:
        assert c.source == e.source
        assert _outputs(c), f"cell without committed output: {c.source[:60]!r}"
        assert _outputs(e) == _outputs(c), c.source


def test_it_prints_the_seed_numbers(executed):
    # the symbolic cells, as the seed printed them (In [6] - In [18])
    for tag, printed in [
        ("in-6", "d_{model}*l"),
        ("in-8", "4*d_{model}*l**2 + 5*l**2"),
        ("in-10", "8*d_{model}**2*l*n_{heads} + 4*d_{model}*l**2*n_{heads} + 5*l**2*n_{heads}"),
        ("in-12", "4*d_{ff}*d_{model}*l + d_{ff} + d_{model}"),
        ("in-14", "6*d_{model}*l + 7*d_{model}"),
        ("in-16", "4*d_{ff}*d_{model}*l + d_{ff} + 8*d_{model}**2*l + 4*d_{model}*l**2 + 14*d_{model}*l "
                  "+ 15*d_{model} + 5*l**2*n_{heads}"),
    ]:
        assert _tagged(executed, tag).outputs[0].data["text/plain"] == printed, tag
    assert "d_{model}" in _tagged(executed, "in-6").outputs[0].data["text/latex"]
    assert _value(executed, "in-44") == 51_248_964_096
    in_52 = _value(executed, "in-52")
    assert in_52["ProjectToVocab"] == 15_728_640_000
    assert in_52["Blocks"]["MultiHeadAttention"]["ScaledDotProductAttention"]["/ sqrt(d_k)"] == 12_582_912
    assert in_52["Blocks"]["PositionWiseFFN"] == {"* W1": 12884901888, "+ b1": 24576, "* W2": 12884901888,
                                                  "+ b2": 3072}
    in_62 = _value(executed, "in-62")
    assert in_62["ProjectToVocab"] == pytest.approx(0.3069064961105746, abs=1e-15)
    assert in_62["Blocks"]["LayerNorms"]["mean(x)"] == pytest.approx(6.150118457215811e-05, abs=1e-15)
    for tag, printed in (("in-74", IN_74), ("in-75", IN_75)):
        got, want = dict(_flat(_value(executed, tag))), dict(_flat(printed))
        assert list(got) == list(want), tag
        for k in want:
            assert got[k] == pytest.approx(want[k], abs=1e-15), (tag, k)


def test_it_prints_the_corrected_numbers(executed):
    assert _value(executed, "corrected-44") == (51_279_076_352, 30_112_256)
    assert _value(executed, "llama") == (63_017_270_915_072, 63_034_450_784_256, True)
    shares = dict(_flat(_value(executed, "corrected-75")))
    assert sum(shares.values()) == pytest.approx(1, abs=1e-12)
    assert shares[("Blocks", "PositionWiseFFN")] < IN_75["Blocks"]["PositionWiseFFN"]  # softmax's '/ sum' added
    table = "".join(o.text for o in _tagged(executed, "compare").outputs)
    assert "63,034,450,784,256" in table and "1,874,753,826,816" in table


def test_the_display_cell_is_html(executed):
    data = _tagged(executed, "html").outputs[0].data
    assert data["text/html"].startswith('<div class="flopdocs-result">')
    assert "<strong>51,248,964,096</strong>" in data["text/html"]
    assert data["text/markdown"].startswith("# In \\[44\\]")


# -- the site's "Use it from Python" page, rendered from the committed notebook ------------

from flopdocs.base.resources import NOTEBOOK as PACKAGED
from flopdocs.errors import BuildError
from flopdocs.site.pages.notebook import page


def test_the_page_shows_every_cell_and_output(committed):
    assert PACKAGED == NOTEBOOK
    text = page(NOTEBOOK)
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert f"```python\n{cell.source.strip()}\n```" in text
        else:  # headings gain a level and an anchor; every other line is as written
            assert all(line in text for line in cell.source.splitlines() if not line.startswith("#"))
    assert "```text\n51248964096\n```" in text  # In [44]'s output, as committed
    assert "$$\n8 d_{model}^{2} l n_{heads} + 4 d_{model} l^{2} n_{heads} + 5 l^{2} n_{heads}\n$$" in text
    assert '<div class="flopdocs-output">\n<div class="flopdocs-result">' in text
    assert "## `count_flops` (In [44]) { #count-flops-in-44 }" in text  # headings one level down


def _notebook(tmp_path, cells):
    p = tmp_path / "nb.ipynb"
    p.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return p


def test_the_page_fences_text_and_keeps_anchors_unique(tmp_path):
    text = page(_notebook(tmp_path, [
        {"cell_type": "markdown", "source": ["# Same\n", "\n", "# Same"], "metadata": {}},
        {"cell_type": "code", "source": "print('```<script>')", "metadata": {}, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["```<script>\n"]}]},
    ]))
    assert "## Same { #same }" in text and "## Same { #same-2 }" in text
    assert "````text\n```<script>\n````" in text  # a longer fence: the output cannot close it


def test_an_error_output_stops_the_build(tmp_path):
    bad = _notebook(tmp_path, [{"cell_type": "code", "source": "1/0", "metadata": {}, "outputs": [
        {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": []}]}])
    with pytest.raises(BuildError, match="an output of type 'error'"):
        page(bad)
    with pytest.raises(BuildError, match="cannot read the tutorial notebook"):
        page(tmp_path / "missing.ipynb")
