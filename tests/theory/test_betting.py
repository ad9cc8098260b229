"""Betting bounds (Waudby-Smith & Ramdas): certified threshold, tightness vs Bernstein, properties."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import UsageError
from audit.theory.betting import betting_lower, betting_upper, predictable_lambdas
from audit.theory.means import bernstein_lower, score_moments
from audit.theory.precision import mp_backend

MP = mp_backend(50)


def _max_capital(x: np.ndarray, m: mpmath.mpf, alpha: float) -> mpmath.mpf:
    """Independent recomputation of max_t K_t(m) in mpmath at 80 digits (λ_i from the documented formula)."""
    n = len(x)
    with mpmath.workdps(80):
        best = prod = mpmath.mpf(1)
        s = mpmath.mpf(0)
        ss = mpmath.mpf(0)
        sig_prev = mpmath.mpf(1) / 4
        for i, xi in enumerate(x, start=1):
            lam_t = mpmath.sqrt(2 * mpmath.log(1 / mpmath.mpf(alpha)) / (n * sig_prev))
            lam = min(lam_t, mpmath.mpf(1) / 2 / m) if m > 0 else lam_t
            prod *= 1 + lam * (mpmath.mpf(float(xi)) - m)
            best = max(best, prod)
            s += mpmath.mpf(float(xi))
            mu = (mpmath.mpf(1) / 2 + s) / (i + 1)
            ss += (mpmath.mpf(float(xi)) - mu) ** 2
            sig_prev = (mpmath.mpf(1) / 4 + ss) / (i + 1)
        return best


@pytest.mark.parametrize("seed,n,alpha", [(0, 200, 0.05), (1, 1000, 0.001)])
def test_returned_value_is_rejected_and_larger_values_are_not(seed: int, n: int, alpha: float) -> None:
    x = np.random.default_rng(seed).beta(6, 3, size=n)
    for B in (None, MP):
        b = betting_lower(x, alpha) if B is None else betting_lower(x, alpha, B)
        v = mpmath.mpf(b.value)
        assert _max_capital(x, v, alpha) >= 1 / mpmath.mpf(alpha)  # certified: every m <= v is rejected
        assert _max_capital(x, v + mpmath.mpf("1e-6"), alpha) < 1 / mpmath.mpf(alpha)  # and it is tight
        assert b.method == "betting" and b.side == "lower" and b.n == n


def test_lambdas_are_predictable() -> None:
    x = np.random.default_rng(5).uniform(size=50)
    lam = predictable_lambdas(x, 0.01)
    y = x.copy()
    y[20:] = 1 - y[20:]  # changing samples from index 20 on must not change λ_1..λ_21
    assert np.array_equal(lam[:21], predictable_lambdas(y, 0.01)[:21])
    assert not np.array_equal(lam[21:], predictable_lambdas(y, 0.01)[21:])


def test_tighter_than_bernstein_on_soft_scores() -> None:
    """docs/theory.md §2: typically 1.1–2× tighter than empirical Bernstein on soft scores (width ratio)."""
    rng = np.random.default_rng(11)
    ratios = []
    for _ in range(5):
        x = rng.beta(8, 2, size=1000)
        fx = [Fraction(float(v)) for v in x]
        mean, var = score_moments(len(fx), sum(fx), sum(v * v for v in fx))
        wb = float(mean) - float(betting_lower(x, "0.001").value)
        we = float(mean) - float(bernstein_lower(mean, var, len(fx), "0.001").value)
        ratios.append(we / wb)
    assert 1.1 <= float(np.median(ratios)) <= 3.0


def test_upper_is_reflection_and_above_mean() -> None:
    x = np.random.default_rng(2).beta(2, 8, size=300)
    up = betting_upper(x, "0.01", MP)
    lo_reflected = betting_lower(1 - x, "0.01", MP)
    assert up.value >= x.mean()
    assert abs(float(up.value) - (1 - float(lo_reflected.value))) < 1e-9


def test_exact_decimal_inputs_and_errors() -> None:
    assert betting_lower(["0.5"] * 10 + ["1"] * 10, "0.1").value < 0.75
    with pytest.raises(UsageError):
        betting_lower([0.5, 1.5], "0.1")
    with pytest.raises(UsageError):
        betting_lower([], "0.1")
    with pytest.raises(UsageError):
        betting_lower([0.5], "0.1", c=1)


@settings(max_examples=25, deadline=None)
@given(
    xs=st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=60),
    alpha=st.sampled_from([0.2, 0.05, 0.001]),
)
def test_betting_lower_below_mean_and_upper_above(xs: list[float], alpha: float) -> None:
    m = sum(Fraction(v) for v in xs) / len(xs)
    assert Fraction(betting_lower(xs, alpha).value) <= m
    assert Fraction(betting_upper(xs, alpha).value) >= m
