"""Clopper–Pearson at the extremes (k=0, 1, n-1, n; n up to 1e7) and against independent references."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from scipy.stats import beta
from statsmodels.stats.proportion import proportion_confint

from audit.theory import FLOAT, cp_lower, cp_upper, mp_backend

B = mp_backend(50)
A = Fraction(1, 1000)


def _tail_ge(k: int, n: int, p: Fraction) -> mpmath.mpf:
    """Brute-force P_p(X >= k) = 1 - sum_{j<k} pmf(j) at 100 digits (for small k)."""
    with mpmath.workdps(100):
        pm = mpmath.mpf(p.numerator) / p.denominator
        return 1 - mpmath.fsum(mpmath.binomial(n, j) * pm**j * (1 - pm) ** (n - j) for j in range(k))


@pytest.mark.parametrize("n", [1, 10, 100000, 10**7])
def test_closed_forms(n: int) -> None:
    assert B.to_fraction(cp_lower(0, n, A, B).value) == 0
    assert B.to_fraction(cp_upper(n, n, A, B).value) == 1
    lo = B.to_fraction(cp_lower(n, n, A, B).value)
    with mpmath.workdps(80):
        ref = Fraction(mpmath.nstr(mpmath.mpf("0.001") ** (mpmath.mpf(1) / n), 70))
    assert lo <= ref and (ref - lo) / ref < Fraction(1, 10**40)
    up = B.to_fraction(cp_upper(0, n, A, B).value)
    assert up >= 1 - ref - Fraction(1, 10**60) and (up - (1 - ref)) / up < Fraction(1, 10**35)


@pytest.mark.parametrize(
    ("k", "n"), [(1, 10**7), (2, 10**7), (10**7 - 1, 10**7), (1, 100000), (99999, 100000)]
)
def test_extremes_certified_by_bruteforce_tail(k: int, n: int) -> None:
    lo = cp_lower(k, n, A, B).value
    up = cp_upper(k, n, A, B).value
    # lower bound: P_lo(X >= k) <= α (on the safe side) and close to α
    if k <= 2:
        with mpmath.workdps(100):
            t = _tail_ge(k, n, B.to_fraction(lo))
            assert t <= mpmath.mpf("0.001")
            assert t > mpmath.mpf("0.001") * (1 - mpmath.mpf(10) ** -35)
    # symmetry: upper(k) = 1 - lower(n-k)
    sym = 1 - B.to_fraction(cp_lower(n - k, n, A, B).value)
    assert B.to_fraction(up) >= sym - Fraction(1, 10**45)
    assert abs(B.to_fraction(up) - sym) < Fraction(1, 10**40)


@pytest.mark.parametrize(("k", "n"), [(1, 10), (5, 10), (37, 100), (500, 1000), (99000, 100000), (3, 100000)])
def test_float_matches_scipy_and_statsmodels_and_is_conservative(k: int, n: int) -> None:
    f = cp_lower(k, n, A, FLOAT).value
    sm = proportion_confint(k, n, alpha=2 * 0.001, method="beta")[0]
    assert abs(f - sm) <= 1e-13 * max(sm, 1e-300)
    m = B.to_fraction(cp_lower(k, n, A, B).value)
    assert Fraction(f) <= m
    fu = cp_upper(k, n, A, FLOAT).value
    assert abs(fu - beta.ppf(1 - 0.001, k + 1, n - k)) <= 1e-12 * fu
    assert Fraction(fu) >= B.to_fraction(cp_upper(k, n, A, B).value)


def test_mp_backend_leaves_global_context_alone() -> None:
    before = mpmath.mp.dps
    cp_lower(123, 1000, A, mp_backend(40))
    assert mpmath.mp.dps == before
