"""Randomized Clopper–Pearson: U = 1 is CP (statsmodels), the root solves its equation, committed U."""

from fractions import Fraction

import pytest
from scipy.stats import binom
from statsmodels.stats.proportion import proportion_confint

from audit.errors import UsageError
from audit.theory.binomial import cp_lower
from audit.theory.precision import mp_backend
from audit.theory.randomized import committed_uniform, randomized_cp_lower, randomized_cp_upper

MP = mp_backend(50)


@pytest.mark.parametrize("k,n,alpha", [(60, 100, 0.001), (99000, 100000, 0.001), (3, 20, 0.1)])
def test_u_one_is_clopper_pearson(k: int, n: int, alpha: float) -> None:
    ref = proportion_confint(k, n, alpha=2 * alpha, method="beta")[0]
    v = randomized_cp_lower(k, n, alpha, 1).value
    assert v <= ref * (1 + 1e-12) and abs(v - ref) < 1e-9
    assert abs(float(randomized_cp_lower(k, n, alpha, 1, MP).value) - ref) < 1e-9


@pytest.mark.parametrize("u", ["0", "0.25", "0.5", "0.9"])
@pytest.mark.parametrize("k,n,alpha", [(60, 100, 0.001), (7, 30, 0.05), (29, 30, 0.2)])
def test_root_solves_the_randomized_equation(k: int, n: int, alpha: float, u: str) -> None:
    uf = float(Fraction(u))
    for B in (None, MP):
        b = randomized_cp_lower(k, n, alpha, u) if B is None else randomized_cp_lower(k, n, alpha, u, B)
        p = float(b.value)
        lhs = binom.sf(k, n, p) + uf * binom.pmf(k, n, p)  # P(X > k) + U P(X = k), scipy
        assert lhs <= alpha * (1 + 1e-9)  # below the root: conservative
        assert abs(lhs - alpha) < 1e-7 * alpha
        assert cp_lower(k, n, alpha).value <= p <= cp_lower(k + 1, n, alpha).value * (1 + 1e-12)


def test_edges() -> None:
    # k = 0: U >= alpha gives 0; U < alpha solves 1 - (1-U)(1-p)^n = alpha
    assert randomized_cp_lower(0, 10, "0.1", "0.5").value == 0
    p = randomized_cp_lower(0, 10, "0.1", "0.05").value
    assert abs(p - (1 - (0.9 / 0.95) ** 0.1)) < 1e-12
    # k = n: U p^n = alpha; U <= alpha gives 1
    v = randomized_cp_lower(10, 10, "0.1", "0.5").value
    assert v <= 0.2**0.1 and 0.2**0.1 - v < 1e-10
    assert randomized_cp_lower(10, 10, "0.1", "0.05").value == 1.0


def test_upper_mirrors_lower() -> None:
    up = randomized_cp_upper(30, 100, "0.01", "0.3", MP).value
    lo = randomized_cp_lower(70, 100, "0.01", "0.3", MP).value
    assert abs(float(up) - (1 - float(lo))) < 1e-40 + 1e-15
    assert up >= lo - 1  # sanity
    assert randomized_cp_upper(30, 100, "0.01", "0.3").value >= 0.3


def test_committed_uniform_is_deterministic_and_in_open_unit_interval() -> None:
    us = [committed_uniform(s) for s in range(200)]
    assert us == [committed_uniform(s) for s in range(200)]
    assert all(0 < u < 1 for u in us)
    assert committed_uniform(1, "a") != committed_uniform(1, "b")
    assert 0.35 < float(sum(us)) / len(us) < 0.65
    with pytest.raises(UsageError):
        committed_uniform(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("args", [(-1, 10, "0.1", "0.5"), (11, 10, "0.1", "0.5"), (1, 10, "0.1", "1.5")])
def test_rejects_bad_arguments(args: tuple) -> None:
    with pytest.raises(UsageError):
        randomized_cp_lower(*args)
