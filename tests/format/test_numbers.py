"""The one number parser and printer: strict syntax, exact values, directed rounding that brackets."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.format.numbers import (
    Dec,
    NonNegDec,
    NumberError,
    decimal_string,
    parse_decimal,
    parse_int,
    to_fraction,
)

ACCEPTED = [
    ("0", Fraction(0)),
    ("-0", Fraction(0)),
    ("0.001", Fraction(1, 1000)),
    ("1e-3", Fraction(1, 1000)),
    ("1E+03", Fraction(1000)),
    ("-2.50e1", Fraction(-25)),
    ("1e-05", Fraction(1, 100000)),
    ("9" * 100, Fraction(int("9" * 100))),
]
REFUSED = [
    "0.25\n",  # a trailing newline (a regular expression's $ would let it through)
    " 0.25",
    "0.25 ",
    "+1",
    ".5",
    "5.",
    "01",
    "1e99999",  # exponent of more than 4 digits
    "NaN",
    "Infinity",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: int() and Decimal() read it as 3
    "1_000",
    "0x10",
    "",
    "1" * 101,
]


@pytest.mark.parametrize(("text", "value"), ACCEPTED)
def test_accepted_syntax_gives_the_exact_value(text: str, value: Fraction) -> None:
    assert parse_decimal(text) == value == Fraction(Decimal(text))  # Decimal as the independent reading
    assert Dec(text).value == value and str(Dec(text)) == text


@pytest.mark.parametrize("text", REFUSED)
def test_refused_syntax(text: str) -> None:
    with pytest.raises(NumberError):
        parse_decimal(text)


def test_non_negative_and_integers() -> None:
    with pytest.raises(NumberError):
        NonNegDec("-0.5")
    assert parse_int("42", low=0, high=100) == 42
    for bad in ("\u0663", " 4", "4.0", "1e3", "-", "101"):
        with pytest.raises(NumberError):
            parse_int(bad, low=0, high=100)
    with pytest.raises(NumberError):
        to_fraction(True)
    assert to_fraction(0.1) == Fraction(0.1)  # a float is its exact binary value


_WHOLE = st.one_of(st.just("0"), st.from_regex(r"[1-9][0-9]{0,30}", fullmatch=True))
_FRACTION = st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,30}", fullmatch=True))
_EXPONENT = st.one_of(st.just(""), st.from_regex(r"[eE][-+]?[0-9]{1,4}", fullmatch=True))


@settings(max_examples=300, deadline=None)
@given(st.booleans(), _WHOLE, _FRACTION, _EXPONENT)
def test_every_text_of_the_syntax_reads_back_exactly(neg: bool, whole: str, frac: str, exp: str) -> None:
    text = ("-" if neg else "") + whole + frac + exp
    assert parse_decimal(text) == Fraction(Decimal(text))  # Decimal: the independent reading


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**80),
    st.integers(min_value=1, max_value=10**80),
    st.integers(min_value=1, max_value=60),
    st.booleans(),
)
def test_directed_rounding_brackets_the_value(num: int, den: int, digits: int, neg: bool) -> None:
    x = Fraction(-num if neg else num, den)
    lo, hi = (
        Fraction(Decimal(decimal_string(x, digits, "down"))),
        Fraction(Decimal(decimal_string(x, digits, "up"))),
    )
    assert lo <= x <= hi
    # at most one unit in the last requested digit apart (digit count checked independently of the code)
    mag = len(str(abs(x.numerator) // abs(x.denominator))) - 1 if abs(x) >= 1 else None
    if mag is not None:
        assert hi - lo <= Fraction(10) ** (mag - digits + 1)


def test_thirty_digits_are_not_rounded_to_decimal_context_precision() -> None:
    # 30 significant digits, the 29th..30th would round the 28-digit context up (regression)
    x = Fraction("0.475903860843585979153297257693674784")
    assert decimal_string(x, 30, "down") == "0.475903860843585979153297257693"
    assert decimal_string(x, 30, "up") == "0.475903860843585979153297257694"
