"""The project's one number parser and one directed decimal printer.

Every real number that arrives from outside (a certificate, a sidecar, a policy file, a command-line option,
a published log) is read here, and every exact value that is printed is rounded here.

Guarantees:

* :func:`parse_decimal` accepts exactly :data:`DECIMAL_PATTERN`: an optional ``-``, an integer part of 1–100
  ASCII digits without leading zeros, an optional fraction of 1–100 ASCII digits, an optional exponent of
  1–4 ASCII digits. No whitespace, no other scripts' digits, no ``NaN``/``Infinity``, no ``+`` sign. The
  value is returned as the exact :class:`~fractions.Fraction`; anything else raises :class:`NumberError`.
* :func:`parse_int` accepts ``-?[0-9]+`` in ASCII only (at most 40 characters), within stated bounds;
  :func:`int_arg` / :func:`decimal_arg` are the same parsers as ``argparse`` option types.
* :func:`to_fraction` gives the exact value of an ``int``, ``Fraction``, finite ``Decimal``, finite ``float``
  (its binary value), :class:`Dec` or decimal string (through :func:`parse_decimal`); ``bool`` is refused.
* :func:`decimal_string` prints a value with a number of significant digits, rounded ``"down"`` (toward
  −∞), ``"up"`` (toward +∞) or ``"nearest"`` (ties to even): the result, read back, is the correctly rounded
  value in that direction. These three words are the project's only rounding vocabulary.
* :class:`Dec` is a number as a document states it: ``text`` verbatim (so documents round-trip byte for
  byte) and ``value`` exact.
* :func:`printed_interval` is the closed set of reals that Python's ``format(x, ".3")`` prints as a text.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Literal

from audit.errors import UsageError

Rounding = Literal["down", "up", "nearest"]

DECIMAL_PATTERN = r"-?(0|[1-9][0-9]{0,99})(\.[0-9]{1,100})?([eE][-+]?[0-9]{1,4})?"
"""The decimal syntax of documents and options (also the JSON Schema's ``decimal`` pattern)."""

_DECIMAL = re.compile(DECIMAL_PATTERN, re.ASCII)
_INT = re.compile(r"-?[0-9]+", re.ASCII)


class NumberError(UsageError):
    """A text is not a number of the accepted syntax (exit 2)."""


def parse_decimal(text: str, *, what: str = "number") -> Fraction:
    """The exact value of a decimal text in :data:`DECIMAL_PATTERN` (:class:`NumberError` otherwise)."""
    if not isinstance(text, str):
        raise NumberError(f"{what} must be a decimal string, got {type(text).__name__}")
    m = _DECIMAL.fullmatch(text)
    if m is None:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise NumberError(f"{what} {shown!r} is not a decimal number")
    whole, frac, exp = m.group(1), (m.group(2) or ".")[1:], m.group(3)
    mantissa = int(whole + frac)
    power = (int(exp[1:]) if exp else 0) - len(frac)
    value = Fraction(mantissa * 10**power) if power >= 0 else Fraction(mantissa, 10**-power)
    return -value if text.startswith("-") else value


def parse_int(text: str, *, what: str = "integer", low: int | None = None, high: int | None = None) -> int:
    """An ASCII decimal integer in ``[low, high]`` (bounds optional); :class:`NumberError` otherwise."""
    if not isinstance(text, str) or len(text) > 40 or _INT.fullmatch(text) is None:
        raise NumberError(f"{what} {str(text)[:40]!r} is not an integer")
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        raise NumberError(f"{what} {value} is outside [{low}, {high}]")
    return value


def int_list(text: str, *, what: str = "list", low: int | None = None, high: int | None = None) -> list[int]:
    """A comma-separated list of :func:`parse_int` integers (blanks around the commas allowed; empty items
    skipped); :class:`NumberError` naming ``what`` otherwise."""
    items = [x.strip(" ") for x in text.split(",")]
    return [parse_int(x, what=f"{what} item", low=low, high=high) for x in items if x]


def int_arg(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An ``argparse`` ``type=`` for an integer option, read by :func:`parse_int` (ASCII only, in bounds)."""

    def convert(text: str) -> int:
        try:
            return parse_int(text, what="value", low=low, high=high)
        except NumberError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None

    return convert


def decimal_arg(low: Fraction | None = None, high: Fraction | None = None) -> Callable[[str], Fraction]:
    """An ``argparse`` ``type=`` for a real option, read exactly by :func:`parse_decimal` (within bounds)."""

    def convert(text: str) -> Fraction:
        try:
            value = parse_decimal(text, what="value")
        except NumberError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"value {text} is outside [{low}, {high}]")
        return value

    return convert


class Dec:
    """A decimal number as written in a document: ``text`` (verbatim) and its exact ``value``."""

    __slots__ = ("text", "value")
    text: str
    value: Fraction

    def __init__(self, text: str) -> None:
        self.text = text
        self.value = parse_decimal(text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dec) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class NonNegDec(Dec):
    """A :class:`Dec` written without a minus sign (so its value is ≥ 0)."""

    __slots__ = ()

    def __init__(self, text: str) -> None:
        if isinstance(text, str) and text.startswith("-"):
            raise NumberError(f"{text!r} must not be negative")
        super().__init__(text)


Exact = int | Fraction | Decimal | float | str | Dec
"""Inputs accepted as exact values (a float is taken as its exact binary value)."""


def to_fraction(x: Exact) -> Fraction:
    """The exact rational value of ``x`` (see the module guarantees); :class:`NumberError` otherwise."""
    if isinstance(x, bool):
        raise NumberError(f"expected a number, got a boolean {x!r}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, Dec):
        return x.value
    if isinstance(x, str):
        return parse_decimal(x)
    if isinstance(x, float | Decimal):
        if not math.isfinite(x):
            raise NumberError(f"expected a finite number, got {x!r}")
        return Fraction(x)
    raise NumberError(f"unsupported number type {type(x).__name__}")


def decimal_string(value: Fraction, digits: int, rounding: Rounding = "nearest") -> str:
    """``value`` with ``digits`` significant digits, rounded as named (plain notation unless tiny or huge)."""
    if value == 0:
        return "0"
    neg = value < 0
    a = -value if neg else value
    e = math.floor(math.log10(a.numerator) - math.log10(a.denominator))  # 10**e <= a < 10**(e+1)
    while Fraction(10) ** e > a:
        e -= 1
    while Fraction(10) ** (e + 1) <= a:
        e += 1
    scaled = a * Fraction(10) ** (digits - 1 - e)
    if rounding == "nearest":
        m = round(scaled)
    else:
        magnitude_up = (rounding == "up") != neg
        m = math.ceil(scaled) if magnitude_up else math.floor(scaled)
    if m == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = digits + 10
        ctx.Emin, ctx.Emax = -(10**9), 10**9
        d = Decimal(m).scaleb(-(digits - 1 - e)).normalize()
        text = format(d, "f") if -30 < d.adjusted() < 30 else format(d, "e")
    return "-" + text if neg else text


def fraction_text(q: Fraction, digits: int = 30) -> str:
    """An exact rational as the shortest faithful decimal text: exact when it terminates, else rounded down
    to ``digits`` significant digits (so a written α never spends more than the exact one)."""
    if q.denominator == 1:
        return str(q.numerator)
    return decimal_string(q, digits, "down")


PRINT_DIGITS = 3


def printed_value(text: str, digits: int = PRINT_DIGITS) -> Fraction:
    """The value of a number printed with ``format(x, f".{digits}")`` (``ValueError``: not a decimal, or
    more significant digits than ``digits``)."""
    try:
        value = parse_decimal(text)
    except NumberError as exc:
        raise ValueError(exc.message) from None
    if value != 0 and len(Decimal(text).normalize().as_tuple().digits) > digits:
        raise ValueError(f"more than {digits} significant digits: {text!r}")
    return value


def printed_interval(text: str, digits: int = PRINT_DIGITS) -> tuple[Fraction, Fraction]:
    """Closed interval of reals that ``format(x, f".{digits}")`` prints as ``text`` (``"0.0"``: exactly 0).

    Boundaries are included (a value on a rounding boundary may print either way). ``ValueError`` if the text
    is not such a print (see :func:`printed_value`) or is negative.
    """
    s = printed_value(text, digits)
    if s == 0:
        return Fraction(0), Fraction(0)  # format(x, ".3") gives "0.0" only for x == 0
    if s < 0:
        raise ValueError("negative radius")
    exp = Decimal(text).adjusted()  # 10**exp <= s < 10**(exp + 1)
    half = Fraction(5) * Fraction(10) ** (exp - digits)
    half_below = half / 10 if Fraction(10) ** exp == s else half  # below a power of ten: the finer decade
    return s - half_below, s + half
