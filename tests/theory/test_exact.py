"""Exact (Buehler) margin bound: reference value, brute-force tail, certified supremum, exact coverage."""

import itertools
import math
from functools import cache

import mpmath
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from audit.errors import UsageError
from audit.theory.binomial import cp_lower, cp_upper
from audit.theory.exact import exact_margin_lower, margin_tail
from audit.theory.precision import mp_backend


def _brute_tail(qa: float, qb: float, t: int, n: int) -> mpmath.mpf:
    """P(X_A - X_B >= t) by summing the trinomial pmf over the whole sample space (mpmath, 40 digits)."""
    with mpmath.workdps(40):
        qa_, qb_ = mpmath.mpf(qa), mpmath.mpf(qb)
        qc = 1 - qa_ - qb_
        total = mpmath.mpf(0)
        for xa in range(n + 1):
            for xb in range(n - xa + 1):
                if xa - xb >= t:
                    xc = n - xa - xb
                    coef = mpmath.factorial(n) / (
                        mpmath.factorial(xa) * mpmath.factorial(xb) * mpmath.factorial(xc)
                    )
                    total += coef * qa_**xa * qb_**xb * qc**xc
        return total


@pytest.mark.parametrize(
    "qa,qb,t,n", [(0.5, 0.3, 10, 60), (0.2, 0.1, 0, 40), (0.6, 0.4, 20, 50), (0.3, 0.3, -5, 30)]
)
def test_tail_brackets_brute_force(qa: float, qb: float, t: int, n: int) -> None:
    low, high = margin_tail(qa, qb, t, n)
    ref = float(_brute_tail(qa, qb, t, n))
    assert low <= ref <= high
    assert high - low <= 1e-6 * ref + 1e-290


def test_reference_value_beats_bonferroni() -> None:
    """docs/theory.md §2: n=1000, α=1e-3, counts (600, 300, 100): Bonferroni CP 0.1983 vs exact 0.2040."""
    b = exact_margin_lower(600, 300, 1000, "0.001")
    assert b.method == "exact-buehler" and b.side == "lower"
    assert 0.20398 <= float(b.value) <= 0.2039860  # 0.2040 to 4 digits; never above the true 0.20398599659...
    bonf = cp_lower(600, 1000, "0.0005").value - cp_upper(300, 1000, "0.0005").value
    assert round(bonf, 4) == 0.1983
    assert float(b.value) > bonf
    mp = exact_margin_lower(600, 300, 1000, "0.001", mp_backend(50))
    assert float(mp.value) == float(b.value)


def test_supremum_is_certified_not_local() -> None:
    """At the returned level every point of the line has tail <= α (dense grid + local optimiser)."""
    n, a, b, alpha = 1000, 600, 300, 1e-3
    level = float(exact_margin_lower(a, b, n, alpha).value)
    t = a - b
    grid = np.linspace(0, (1 - level) / 2, 400)
    vals = [margin_tail(s + level, s, t, n)[0] for s in grid]
    assert max(vals) <= alpha
    res = minimize_scalar(
        lambda s: -margin_tail(s + level, s, t, n)[0], bounds=(0, (1 - level) / 2), method="bounded"
    )
    assert -res.fun <= alpha
    # and slightly above the level a witness exceeds alpha (the bound is tight to the search tolerance)
    above = level + 1e-6
    assert margin_tail(1 - (1 - above) / 2, (1 - above) / 2, t, n)[0] > alpha


def test_exact_coverage_small_n() -> None:
    """Exact failure probability over the full sample space (n = 12) is <= α for several true q."""
    n, alpha = 12, 0.1

    @cache
    def bound(t: int) -> float:  # the bound depends on the counts only through t = a - b
        a = max(t, 0)
        return float(exact_margin_lower(a, a - t, n, alpha, tol=1e-5, budget=300).value)

    for qa, qb in [(0.5, 0.3), (0.4, 0.4), (0.7, 0.1), (0.35, 0.05), (0.2, 0.6)]:
        qc = 1 - qa - qb
        fail = 0.0
        for xa, xb in itertools.product(range(n + 1), repeat=2):
            if xa + xb > n:
                continue
            xc = n - xa - xb
            coef = math.factorial(n) // (math.factorial(xa) * math.factorial(xb) * math.factorial(xc))
            pmf = coef * qa**xa * qb**xb * qc**xc
            if bound(xa - xb) > qa - qb:
                fail += pmf
        assert fail <= alpha, (qa, qb, fail)


def test_rejects_bad_counts() -> None:
    with pytest.raises(UsageError):
        exact_margin_lower(600, 500, 1000, "1.5")
    with pytest.raises(UsageError):
        exact_margin_lower(600, 500, 1000 - 200, "0.01")
    with pytest.raises(UsageError):
        exact_margin_lower(-1, 5, 10, "0.01")
