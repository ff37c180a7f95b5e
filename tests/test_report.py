"""The report's number formatting: exact, for any int."""
import pytest
from hypothesis import given, strategies as st

from flopdocs.api.report import human, human_params


@pytest.mark.parametrize("n, flops, params", [
    (0, "0 FLOP", "0"),
    (999, "999 FLOP", "999"),
    (1000, "1 KFLOP", "1K"),
    (1500, "1.5 KFLOP", "1.5K"),
    (999_499, "999 KFLOP", "999K"),
    (999_500, "1 MFLOP", "1M"),               # 999.5K rounds to 1.00M, shown in the next unit
    (51_248_964_096, "51.2 GFLOP", "51.2B"),   # the seed's total
    (6_738_415_616, "6.74 GFLOP", "6.74B"),    # Llama-2-7B's parameters
    (10**30, "1e+6 YFLOP", "1e+18T"),          # past the last prefix: scientific mantissa
])
def test_human(n, flops, params):
    assert human(n) == flops and human_params(n) == params


def test_human_beyond_float_range():
    # 2**1100 > the largest float (about 1.8e308): float(n) would raise OverflowError
    assert human(2**1100) == "1.36e+307 YFLOP"  # 2**1100 = 1.3582e331 = 1.36e307 * 10**24


@given(st.integers(min_value=0, max_value=10**26))
def test_human_is_within_half_a_unit_in_the_third_digit(n):
    text, unit = human(n).split(" ")
    scale = 1000 ** ["FLOP", "KFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "EFLOP", "ZFLOP", "YFLOP"].index(unit)
    shown = float(text) * scale
    assert abs(shown - n) <= 0.005 * max(n, 1) + 0.5
