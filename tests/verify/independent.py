"""Independent reference formulas for the verifier tests (mpmath, docs/theory.md formulas, no audit code).

Clopper–Pearson bounds by bisection on mpmath's regularized incomplete beta (docs/theory.md §2):
``P(X >= k | p) = I_p(k, n-k+1)``, so the lower bound solves ``I_p(k, n-k+1) = a``; the upper bound solves
``1 - I_p(k+1, n-k) = a``. Use n up to ~1e4 (mpmath's series is slow beyond).
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import mpmath

DPS = 60


def mpf(x: Fraction | int | str) -> mpmath.mpf:
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def _bisect(f, increasing: bool, target: mpmath.mpf) -> mpmath.mpf:
    lo, hi = mpmath.mpf(0), mpmath.mpf(1)
    for _ in range(3 * DPS + 20):
        mid = (lo + hi) / 2
        if (f(mid) > target) == increasing:
            hi = mid
        else:
            lo = mid
    return lo


def cp_lower(k: int, n: int, a: Fraction) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        if k == 0:
            return mpmath.mpf(0)
        return _bisect(lambda p: mpmath.betainc(k, n - k + 1, 0, p, regularized=True), True, mpf(a))


def cp_upper(k: int, n: int, a: Fraction) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        if k == n:
            return mpmath.mpf(1)
        tail = lambda p: 1 - mpmath.betainc(k + 1, n - k, 0, p, regularized=True)  # noqa: E731
        return _bisect(tail, False, mpf(a))


def phi_inv(p: mpmath.mpf) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        return mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1)


def laplace_cdf(s: mpmath.mpf, lam: mpmath.mpf) -> mpmath.mpf:
    """P(z <= s) for one coordinate of density exp(-|z|/lam) / (2 lam)."""
    with mpmath.workdps(DPS):
        return mpmath.exp(s / lam) / 2 if s < 0 else 1 - mpmath.exp(-s / lam) / 2


def ablation_radius_k1(pl: mpmath.mpf, p_other_max: mpmath.mpf, d: int, e: int) -> int:
    """docs/theory.md §4, k = 1: largest integer r >= 0 with pl' - p' > 2 Δ(r); -1 if even r = 0 fails."""
    total = comb(d, e)
    with mpmath.workdps(DPS + 100):
        pl_r = Fraction(int(mpmath.ceil(pl * total)), total)
        po_r = Fraction(int(mpmath.floor(p_other_max * total)), total)
    r = -1
    while r + 1 <= d - e:
        delta = 1 - Fraction(comb(d - (r + 1), e), total)
        if not pl_r - po_r > 2 * delta:
            break
        r += 1
    return r
