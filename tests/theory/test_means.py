"""Hoeffding and empirical Bernstein (Maurer & Pontil Thm 4, ln(2/α)) against independent formulas."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import UsageError
from audit.theory.means import (
    bernstein_lower,
    bernstein_upper,
    hoeffding_lower,
    hoeffding_upper,
    mean_bound_from_sums,
    score_moments,
)
from audit.theory.precision import FLOAT, mp_backend

MP = mp_backend(50)


def _mp_hoeffding(mean: str, n: int, alpha: str) -> mpmath.mpf:
    with mpmath.workdps(80):
        return mpmath.mpf(mean) - mpmath.sqrt(mpmath.log(1 / mpmath.mpf(alpha)) / (2 * n))


def _mp_bernstein(mean: str, var: str, n: int, alpha: str) -> mpmath.mpf:
    with mpmath.workdps(80):
        lg = mpmath.log(2 / mpmath.mpf(alpha))
        return mpmath.mpf(mean) - mpmath.sqrt(2 * mpmath.mpf(var) * lg / n) - 7 * lg / (3 * (n - 1))


@pytest.mark.parametrize(
    "mean,n,alpha", [("0.9", 1000, "0.001"), ("0.5", 10, "0.1"), ("0.999", 100000, "1e-6")]
)
def test_hoeffding_matches_formula_and_rounds_down(mean: str, n: int, alpha: str) -> None:
    ref = _mp_hoeffding(mean, n, alpha)
    for B in (FLOAT, MP):
        v = hoeffding_lower(mean, n, alpha, B).value
        assert v <= ref  # conservative side
        assert abs(float(v) - float(ref)) < 1e-12
    with mpmath.workdps(80):
        v50 = mpmath.mpf(hoeffding_lower(mean, n, alpha, MP).value)
        assert 0 <= ref - v50 < mpmath.mpf(10) ** -40


@pytest.mark.parametrize(
    "mean,var,n,alpha",
    [("0.9", "0.01", 1000, "0.001"), ("0.6", "0.2", 50, "0.05"), ("0.99", "0", 10**5, "1e-3")],
)
def test_bernstein_matches_maurer_pontil_with_ln_2_over_alpha(
    mean: str, var: str, n: int, alpha: str
) -> None:
    ref = _mp_bernstein(mean, var, n, alpha)
    for B in (FLOAT, MP):
        b = bernstein_lower(mean, var, n, alpha, B)
        assert b.method == "bernstein" and b.side == "lower" and b.alpha == Fraction(alpha)
        assert b.value <= ref
        assert abs(float(b.value) - float(max(ref, 0))) < 1e-12
    # Moutaouakil's misquote ln(1/δ) would give a strictly larger (too optimistic) value
    with mpmath.workdps(80):
        lg = mpmath.log(1 / mpmath.mpf(alpha))
        misquote = mpmath.mpf(mean) - mpmath.sqrt(2 * mpmath.mpf(var) * lg / n) - 7 * lg / (3 * (n - 1))
    assert bernstein_lower(mean, var, n, alpha, MP).value < misquote


def test_upper_bounds_mirror_lower_bounds() -> None:
    lo = hoeffding_lower("0.3", 200, "0.01", MP).value
    up = hoeffding_upper("0.7", 200, "0.01", MP).value
    assert abs((1 - up) - lo) < mpmath.mpf(10) ** -40
    lo = bernstein_lower("0.3", "0.05", 200, "0.01", MP).value
    up = bernstein_upper("0.7", "0.05", 200, "0.01", MP).value
    assert abs((1 - up) - lo) < mpmath.mpf(10) ** -40


def test_clipped_to_unit_interval() -> None:
    assert hoeffding_lower("0.01", 5, "0.001").value == 0.0
    assert hoeffding_upper("0.99", 5, "0.001").value == 1.0
    assert bernstein_upper("1", "0", 3, "0.01", MP).value == 1


def test_score_moments_exact_against_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.beta(2, 5, size=257)
    fx = [Fraction(float(v)) for v in x]
    mean, var = score_moments(len(fx), sum(fx), sum(v * v for v in fx))
    assert abs(float(mean) - float(np.mean(x))) < 1e-15
    assert abs(float(var) - float(np.var(x, ddof=1))) < 1e-15
    b = mean_bound_from_sums("bernstein", "lower", len(fx), sum(fx), sum(v * v for v in fx), "0.01", MP)
    assert b.value == bernstein_lower(mean, var, len(fx), "0.01", MP).value


@pytest.mark.parametrize(
    "n,s,ss", [(10, "11", "11"), (10, "-1", "0"), (10, "5", "1"), (10, "5", "6"), (1, "0.5", "0.25")]
)
def test_score_moments_rejects_impossible_statistics(n: int, s: str, ss: str) -> None:
    with pytest.raises(UsageError):
        score_moments(n, s, ss)


@pytest.mark.parametrize("alpha", ["0", "1", "-0.1", "nan"])
def test_rejects_bad_alpha(alpha: str) -> None:
    with pytest.raises(UsageError):
        hoeffding_lower("0.5", 10, alpha)


unit = st.fractions(min_value=0, max_value=1, max_denominator=10**6)
alphas = st.sampled_from(["0.2", "0.05", "0.001", "1e-9"])


@settings(max_examples=60, deadline=None)
@given(
    m1=unit,
    m2=unit,
    v1=st.fractions(0, Fraction(1, 4), max_denominator=10**6),
    v2=st.fractions(0, Fraction(1, 4), max_denominator=10**6),
    n=st.integers(2, 10**6),
    alpha=alphas,
)
def test_bernstein_monotone_in_mean_and_variance_and_below_mean(m1, m2, v1, v2, n, alpha) -> None:
    lo_m, hi_m = sorted((m1, m2))
    lo_v, hi_v = sorted((v1, v2))
    assert bernstein_lower(lo_m, hi_v, n, alpha).value <= bernstein_lower(hi_m, hi_v, n, alpha).value
    assert bernstein_lower(hi_m, hi_v, n, alpha).value <= bernstein_lower(hi_m, lo_v, n, alpha).value
    assert bernstein_lower(hi_m, lo_v, n, alpha).value <= hi_m
    assert bernstein_upper(hi_m, lo_v, n, alpha).value >= hi_m


@settings(max_examples=60, deadline=None)
@given(
    m=unit, v=st.fractions(0, Fraction(1, 4), max_denominator=10**6), n=st.integers(2, 10**6), alpha=alphas
)
def test_bounds_tighten_with_n(m, v, n, alpha) -> None:
    assert hoeffding_lower(m, n, alpha).value <= hoeffding_lower(m, 2 * n, alpha).value <= m
    assert bernstein_lower(m, v, n, alpha).value <= bernstein_lower(m, v, 2 * n, alpha).value
