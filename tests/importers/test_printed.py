"""printed_interval / smallest_count against brute force over Python's own ``format(x, ".3")``."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.format.numbers import printed_interval, printed_value
from audit.importers.printed import smallest_count


@settings(max_examples=400, deadline=None)
@given(st.floats(min_value=1e-6, max_value=50.0, allow_nan=False))
def test_value_lies_in_interval_of_its_own_printing(x: float) -> None:
    lo, hi = printed_interval(format(x, ".3"))
    assert lo <= Fraction(x) <= hi


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1e-6, max_value=50.0, allow_nan=False))
def test_interval_is_tight_just_outside_prints_differently(x: float) -> None:
    s = format(x, ".3")
    lo, hi = printed_interval(s)
    below = math.nextafter(float(lo), 0.0)
    above = math.nextafter(float(hi), math.inf)
    # one float step beyond each end (and beyond the float nearest to the end) prints differently
    assert format(math.nextafter(below, 0.0), ".3") != s
    assert format(math.nextafter(above, math.inf), ".3") != s


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [("0.378", "0.3775", "0.3785"), ("1.0", "0.9995", "1.005"), ("0.0734", "0.07335", "0.07345")],
)
def test_hand_values(text: str, lo: str, hi: str) -> None:
    assert printed_interval(text) == (Fraction(lo), Fraction(hi))


def test_four_digits_rejected() -> None:
    with pytest.raises(ValueError):
        printed_value("0.3781")
    with pytest.raises(ValueError):
        printed_value("nan")


def test_smallest_count_brute_force() -> None:
    # radius_of(k) = floor(k/7)/100: a non-decreasing step function; compare with a linear scan
    def radius_of(k: int) -> Fraction | None:
        return None if k < 5 else Fraction(k // 7, 100)

    n = 500
    for text in ("0.1", "0.5", "0.71", "0.72", "0.0", "9.0"):
        lo, hi = printed_interval(text)
        scan = [k for k in range(n + 1) if (r := radius_of(k)) is not None and lo <= r <= hi]
        got = smallest_count(lo, hi, n, radius_of)
        if scan:
            assert got is not None and got.count == scan[0]
        else:
            assert got is None
