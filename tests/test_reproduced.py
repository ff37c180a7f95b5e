"""Every published figure a convention page lists: reproduced ones round to the printed
digits, the others do not (and say why), and each command prints ours."""
import shlex

import pytest

from flopdocs import conventions
from flopdocs.cli.main import main
from flopdocs.counting.reproduced import FIGURES, of


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f"{f.convention}: {f.where}"[:80])
def test_a_figure_is_reproduced_exactly_when_it_says_so(figure):
    printed = figure.published.rstrip("%")
    assert (figure.shown == printed) == figure.reproduced, (figure.shown, printed, figure.reason)
    assert 0.7 < figure.ratio < 1.3


MFU_FIGURES = [f for f in FIGURES if f.command.startswith("flopdocs mfu")]


@pytest.mark.parametrize("figure", MFU_FIGURES[:4], ids=lambda f: f.where[:60])
def test_an_mfu_figures_command_prints_ours(figure, capsys):
    assert main(shlex.split(figure.command.split("#")[0])[1:]) == 0
    out = capsys.readouterr().out
    convention = figure.command.split("--convention ")[1].split()[0] if "--convention" in figure.command \
        else conventions.DEFAULT
    row = next(line for line in out.splitlines() if line.startswith(convention + " "))
    assert f"{figure.shown}%" in row


def test_the_reproduced_figures_the_issue_names():
    names = {f.where: f for f in FIGURES}
    assert names["§4.1 Table 3, PaLM 540B: MFU"].reproduced
    assert names["§4.1 Table 3, Megatron-Turing NLG 530B: MFU"].reproduced
    assert sum(f.reproduced for f in of("chinchilla")) == 6  # Table A4's six ratios
    assert sum(f.reproduced for f in of("megatron")) == 6  # Table 5's 175B, 530B, 1T
    assert sum(f.reproduced for f in of("6N")) == 7  # Table D.1's GPT-3 rows but XL
    assert {f.convention for f in FIGURES} <= set(conventions.CONVENTIONS)
