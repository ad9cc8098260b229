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

from audit.theory.precision import decimal_string


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


def to_decimal_str(x: Fraction, digits: int = 20, direction: str = "down") -> str:
    """``x`` as a decimal string with ``digits`` significant digits, rounded ``down`` (to −∞) or ``up``.

    A thin adapter over :func:`audit.theory.precision.decimal_string` (the one directed decimal rounding).
    """
    if direction not in ("down", "up"):
        raise ValueError("direction must be 'down' or 'up'")
    return decimal_string(Fraction(x), digits, "f" if direction == "down" else "c")


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
