"""Exact number handling for the verifier: decimal strings and mpmath values as rationals.

Guarantees: no binary float enters a comparison. Decimal strings convert to :class:`fractions.Fraction`
exactly; mpmath numbers convert exactly (mantissa · 2^exponent); decimal renderings round in the stated
direction, so a printed lower end is never above the value and a printed excess never below it.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import mpmath


def to_fraction(value: Any) -> Fraction:
    """Exact rational of an int, Fraction, decimal string or mpmath number; ValueError on NaN/inf/garbage."""
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
        if not d.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(d)
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError("not a finite number")
        man, exp = mpmath.mpf(value).man_exp
        return Fraction(man) * (Fraction(2) ** exp)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a finite number")
        return Fraction(value)
    raise ValueError(f"unsupported number type {type(value).__name__}")


def _floor_div(num: int, den: int) -> int:
    """Floor division as a plain ``int`` (mpmath with gmpy2 hands back ``mpz`` numerators)."""
    return int(num // den)


def to_decimal_str(x: Fraction, digits: int = 20, direction: str = "down") -> str:
    """``x`` as a decimal string with ``digits`` significant digits, rounded ``down`` (to −∞) or ``up``."""
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(float(x)))) if abs(x) > Fraction(1, 10**300) else -300
    # correct the magnitude estimate exactly
    while abs(x) >= Fraction(10) ** (mag + 1):
        mag += 1
    while abs(x) < Fraction(10) ** mag:
        mag -= 1
    scale = digits - 1 - mag
    scaled = x * Fraction(10) ** scale
    q = _floor_div(scaled.numerator, scaled.denominator)
    if direction == "up" and Fraction(q) != scaled:
        q += 1
    elif direction != "down" and direction != "up":
        raise ValueError("direction must be 'down' or 'up'")
    d = Decimal(f"{q}E{-scale}")  # exact: Decimal(...).scaleb would round to the context's 28 digits
    text = format(d, "f") if -30 < mag < 30 else format(d, "E")
    if "." in text and "E" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def float_ulp(x: Fraction) -> Fraction:
    """The ulp of the float64 nearest to ``x`` (exact rational)."""
    return Fraction(math.ulp(float(x)))


def ulps(excess: Fraction, reference: Fraction) -> int:
    """``excess`` in ulps of float64(``reference``), rounded up (≥ 1 for any positive excess)."""
    if excess <= 0:
        return 0
    u = float_ulp(reference)
    q = excess / u
    return math.ceil(q)
