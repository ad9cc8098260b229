"""Population lower bound on certified accuracy (Jia et al. 2020 App. E)."""

import math

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import UsageError
from audit.theory.population import population_lower_bound
from audit.theory.precision import mp_backend

MP = mp_backend(50)


def _ref(y: str, a: str, r: str, m: int) -> mpmath.mpf:
    with mpmath.workdps(80):
        y_, a_, r_ = mpmath.mpf(y), mpmath.mpf(a), mpmath.mpf(r)
        lg = mpmath.log(1 / r_)
        return (y_ - a_ - mpmath.sqrt(2 * a_ * (1 - a_) * lg / m) - lg / (3 * m)) / (1 - a_)


@pytest.mark.parametrize("y,a,r,m", [("0.62", "0.001", "0.001", 500), ("0.9", "0.05", "0.01", 10000)])
def test_formula(y: str, a: str, r: str, m: int) -> None:
    ref = _ref(y, a, r, m)
    b = population_lower_bound(y, a, r, m, MP)
    with mpmath.workdps(80):
        assert 0 <= ref - mpmath.mpf(b.value) < mpmath.mpf(10) ** -40
    f = population_lower_bound(y, a, r, m).value
    assert f <= float(ref) and math.isclose(f, float(ref), rel_tol=1e-12)


def test_clipped_at_zero() -> None:
    assert population_lower_bound("0.001", "0.001", "0.001", 100).value == 0.0


def test_rejects_bad_arguments() -> None:
    with pytest.raises(UsageError):
        population_lower_bound("1.2", "0.001", "0.001", 100)
    with pytest.raises(UsageError):
        population_lower_bound("0.5", "0.001", "0.001", 0)


@settings(max_examples=80, deadline=None)
@given(
    y=st.fractions(0, 1, max_denominator=10**4),
    a=st.sampled_from(["0.1", "0.001", "1e-6"]),
    r=st.sampled_from(["0.1", "0.001"]),
    m=st.integers(1, 10**6),
)
def test_below_claimed_and_monotone(y, a, r, m) -> None:
    b = population_lower_bound(y, a, r, m).value
    assert 0 <= b <= y
    assert b <= population_lower_bound(y, a, r, 2 * m).value
