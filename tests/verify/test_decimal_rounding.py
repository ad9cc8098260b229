"""Directed decimal rendering: a ``down`` text is never above the value, an ``up`` text never below it."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.verify.exact import to_decimal_str, to_fraction


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**80),
    st.integers(min_value=1, max_value=10**80),
    st.integers(min_value=1, max_value=60),
    st.booleans(),
)
def test_directed_rounding_brackets_the_value(num: int, den: int, digits: int, neg: bool) -> None:
    x = Fraction(-num if neg else num, den)
    lo, hi = to_fraction(to_decimal_str(x, digits, "down")), to_fraction(to_decimal_str(x, digits, "up"))
    assert lo <= x <= hi
    # at most one unit in the last requested digit apart (digit count checked independently of the code)
    mag = len(str(abs(x.numerator) // abs(x.denominator))) - 1 if abs(x) >= 1 else None
    if mag is not None:
        assert hi - lo <= Fraction(10) ** (mag - digits + 1)


def test_thirty_digits_are_not_rounded_to_decimal_context_precision() -> None:
    # 30 significant digits, the 29th..30th would round the 28-digit context up (regression)
    x = Fraction("0.475903860843585979153297257693674784")
    assert to_decimal_str(x, 30, "down") == "0.475903860843585979153297257693"
    assert to_decimal_str(x, 30, "up") == "0.475903860843585979153297257694"
