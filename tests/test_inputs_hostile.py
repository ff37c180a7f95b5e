"""Inputs are whole and single (a hostile review's findings, each a row): a key given twice,
a flag's prefix, an option of the wrong type, a negative layer dimension, a position past a
learned table's default rows, an impossible utilisation; one line each, exit 2, or said
beside the figure."""
from fractions import Fraction

import pytest

import flopdocs
from flopdocs.cli.main import main
from flopdocs.counting import mfu
from flopdocs.counting.modes import Options
from flopdocs.errors import ConfigError, InputTypeError

CLI = [
    (["report", "seed-512", "--set", "l=4", "--set", "l=5"], "--set l=5: l: given twice (--set l=4 and --set l=5)"),
    (["table", "--set", "l=4", "--set", "l=5"], "l: given twice"),
    (["import-hf", "tests/fixtures/hf/gpt2/config.json", "--set", "l=4", "--set", "l=8"], "l: given twice"),
    (["mfu", "seed-512", "--tokens-per-second", "1", "--accelerator", "a100", "--set", "l=4", "--set", "l=4"],
     "l: given twice"),
    (["report", "seed-512", "--dtype-b", "4"], "unrecognized arguments: --dtype-b 4"),  # not --dtype-bytes
    (["report", "seed-512", "--kv", "fp8"], "unrecognized arguments: --kv fp8"),  # not --kv-dtype
    (["report", "seed-512", "--conv", "seed"], "unrecognized arguments: --conv seed"),
    (["table", "seed-512", "--form", "jsonl"], "unrecognized arguments: --form jsonl"),
    (["deploy", "--si", "x"], "the following arguments are required: --site"),
    (["report", "seed-512", "--mode", "decode", "--context", "5000"],
     "--context 5000 and the new token (5001 positions): more than max_positions=512"),
    (["report", "seed-512", "--mode", "decode", "--context", "512"], "(513 positions): more than max_positions=512"),
    (["report", "seed-512", "--mode", "prefill", "--prompt", "5000"], "--prompt 5000: more than max_positions=512"),
    (["report", "seed-512", "--mode", "generate", "--prompt", "513"], "--prompt 513: more than max_positions=512"),
    (["table", "seed-512", "--mode", "decode", "--context", "5000"], "more than max_positions=512"),
]


@pytest.mark.parametrize("argv, message", CLI, ids=[" ".join(a) for a, _ in CLI])
def test_bad_input_is_one_line_exit_2(capsys, argv, message):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_the_last_position_of_the_default_table_still_counts(capsys):
    assert main(["report", "seed-512", "--mode", "decode", "--context", "511", "--format", "json"]) == 0
    assert main(["report", "seed-512", "--mode", "prefill", "--prompt", "512", "--format", "json"]) == 0
    # a rope model has no table: any context
    assert main(["report", "llama-2-7b", "--mode", "decode", "--context", "100000", "--format", "json"]) == 0


@pytest.mark.parametrize("field, value", [("macs", "false"), ("macs", "no"), ("macs", 2), ("macs", []), ("macs", 0),
                                          ("scores", []), ("recompute", None), ("prompt", 4.0), ("context", True),
                                          ("generate", "3"), ("dtype_bytes", [2])])
def test_options_fields_are_checked_like_config_values(field, value):
    with pytest.raises(InputTypeError, match=rf"^Options\({field}=\.\.\.\): expected"):
        Options(**{field: value})


def test_an_options_macs_string_never_counts_macs():
    with pytest.raises(ConfigError, match="macs"):
        flopdocs.model("seed-512", options=Options(macs="false"))
    # with MACs every matmul counts half: the total falls (seed-512: 51,248,964,096 FLOPs)
    assert flopdocs.model("seed-512", options=Options(macs=True)).total < flopdocs.model("seed-512").total


@pytest.mark.parametrize("dim", [-1, 0, -(2**70)])
def test_a_layer_dimension_below_1_is_refused(dim):
    with pytest.raises(ConfigError, match=f"a dimension must be a whole number of at least 1, got {dim}"
                       if abs(dim) < 2**64 else "a dimension must be"):
        flopdocs.layer("MultiHeadAttention", dim, 8, 8, 8, 8, 2)


@pytest.mark.parametrize("ratio, shown", [
    (Fraction(300_197_007, 10**4), "3,001,970.1%"),  # 30,019.7 x 100, rounded
    (Fraction(1, 2), "50.0%"),
    (Fraction(1), "100.0%"),
    (Fraction(1, 1001), "0.1%"),  # 0.0999 %, rounded to 0.1
    (Fraction(10**600), "more than 1,000,000,000%"),  # exact: no float, no overflow
])
def test_a_utilisation_is_printed_exactly_at_any_size(ratio, shown):
    assert mfu.percent(ratio) == shown


def test_mfu_of_huge_and_tiny_inputs_is_a_table_not_an_overflow(capsys):
    # 300,197,007 FLOPs/token (flopdocs, seed-512) · 1e6 tokens/s / 1e12 FLOP/s = 30,019.7 %
    assert main(["mfu", "seed-512", "--tokens-per-second", "1e6", "--peak-flops", "1e12"]) == 0
    out = capsys.readouterr().out
    assert "30,019.7%" in out and "above 100 %" in out
    assert main(["mfu", "seed-512", "--tokens-per-second", "1e300", "--peak-flops", "1e-300"]) == 0
    out = capsys.readouterr().out
    assert "more than 1,000,000,000%" in out and "above 100 %" in out
    assert main(["mfu", "seed-512", "--tokens-per-second", "1", "--peak-flops", "1e12"]) == 0
    assert "below 0.1 %" in capsys.readouterr().out
