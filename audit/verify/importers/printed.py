"""Which counts are consistent with a radius printed with ``"{:.3}"``.

``printed_interval(s)`` is the closed set ``[lo, hi]`` of reals that Python's ``format(x, ".3")`` renders as
``s`` (boundaries included: a value exactly on a rounding boundary may print either way, and the verifier
must never reject a log it can explain). ``smallest_count`` finds, by bisection over a radius function that is
non-decreasing in the count, the smallest count whose radius lies in ``[lo, hi]``; ``None`` means no count can
produce the printed text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from audit.verify.importers.cohen_log import parse_printed

SIG_DIGITS = 3


def printed_interval(text: str) -> tuple[Fraction, Fraction]:
    """Closed interval of reals printed as ``text`` by ``"{:.3}"`` (``"0.0"`` → values rounding to zero)."""
    d = parse_printed(text)
    if d == 0:
        # format(x, ".3") gives '0.0' only for x == 0 (tiny values print in scientific notation)
        return Fraction(0), Fraction(0)
    s = Fraction(d)
    if s < 0:
        raise ValueError("negative radius")
    exp = d.adjusted()  # 10**exp <= s < 10**(exp + 1)
    half = Fraction(5) * Fraction(10) ** (exp - SIG_DIGITS)
    half_below = half
    if Fraction(Decimal(1).scaleb(exp)) == s:
        half_below = half / 10  # just below a power of ten the previous decade's digits apply
    return s - half_below, s + half


@dataclass(frozen=True)
class CountMatch:
    """The smallest count consistent with a printed radius, and its radius (as returned by the function)."""

    count: int
    radius: Fraction


RadiusOf = Callable[[int], Fraction | None]
"""Radius as an exact rational for a count (``None`` = abstain), non-decreasing in the count."""


def smallest_count(
    lo: Fraction, hi: Fraction, n: int, radius_of: RadiusOf, start: int = 0
) -> CountMatch | None:
    """Smallest ``k`` in ``[start, n]`` with ``lo <= radius_of(k) <= hi``; ``None`` if there is none.

    Requires ``radius_of`` non-decreasing in ``k`` (abstain counts as below every radius). Uses
    O(log n) evaluations.
    """

    def at_least_lo(k: int) -> bool:
        r = radius_of(k)
        return r is not None and r >= lo

    if not at_least_lo(n):
        return None
    a, b = start, n  # invariant: at_least_lo(b); answer in [a, b]
    if at_least_lo(a):
        b = a
    while b - a > 1:
        mid = (a + b) // 2
        if at_least_lo(mid):
            b = mid
        else:
            a = mid
    r = radius_of(b)
    assert r is not None
    if r > hi:
        return None
    return CountMatch(b, r)
