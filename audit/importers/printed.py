"""Which counts are consistent with a radius printed with ``"{:.3}"``.

The printed text stands for the closed interval :func:`audit.format.numbers.printed_interval`.
``smallest_count`` finds, by bisection over a radius function that is non-decreasing in the count, the
smallest count whose radius lies in ``[lo, hi]``; ``None`` means no count can produce the printed text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction


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
