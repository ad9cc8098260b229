"""Statistical coverage of every bound: simulate with a known parameter, count failures, compare with α.

Acceptance rule (stated once): with T trials and true failure probability <= α, the failure count is
stochastically below Bin(T, α); a test fails only if the count exceeds the 99.9% quantile of Bin(T, α), i.e. a
correct bound fails a test with probability <= 0.1% (seeds are fixed, so runs are deterministic). The "power"
tests show the same rule rejects a bound that over-spends (α-level bound used as if it had level α/3, or the
selection-reuse protocol).
"""

from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import binom

from audit.theory import reuse_failure_bound
from audit.theory.betting import betting_lower, betting_upper
from audit.theory.binomial import cp_lower, cp_upper, simuem_bounds
from audit.theory.means import bernstein_lower, bernstein_upper, hoeffding_lower, hoeffding_upper
from audit.theory.population import population_lower_bound
from audit.theory.randomized import randomized_cp_lower


def within(failures: int, trials: int, alpha: float) -> bool:
    """True unless ``failures`` exceeds the 99.9% quantile of Bin(trials, alpha)."""
    return failures <= binom.ppf(0.999, trials, alpha)


def test_rule_has_power() -> None:
    """A CP bound at level 3α checked against α is rejected (the rule can fail)."""
    n, p, alpha, trials = 200, 0.3, 0.05, 4000
    table = np.array([cp_lower(k, n, 3 * alpha).value for k in range(n + 1)])
    ks = np.random.default_rng(0).binomial(n, p, size=trials)
    assert not within(int(np.sum(table[ks] > p)), trials, alpha)


@pytest.mark.parametrize("n,p,alpha", [(50, 0.9, 0.1), (200, 0.3, 0.05), (1000, 0.995, 0.1)])
def test_clopper_pearson(n: int, p: float, alpha: float) -> None:
    trials = 5000
    lo = np.array([cp_lower(k, n, alpha).value for k in range(n + 1)])
    up = np.array([cp_upper(k, n, alpha).value for k in range(n + 1)])
    ks = np.random.default_rng(1).binomial(n, p, size=trials)
    assert within(int(np.sum(lo[ks] > p)), trials, alpha)
    assert within(int(np.sum(up[ks] < p)), trials, alpha)


def test_simuem_simultaneous_over_labels() -> None:
    n, alpha, trials = 100, 0.2, 3000
    probs = np.array([0.5, 0.25, 0.15, 0.1])
    draws = np.random.default_rng(2).multinomial(n, probs, size=trials)
    cache: dict[tuple[int, ...], bool] = {}
    failures = 0
    for counts in (tuple(int(v) for v in row) for row in draws):
        if counts not in cache:
            lb = simuem_bounds(list(counts), 0, alpha)
            bad = lb.lower.value > probs[0] or any(lb.uppers[i].value < probs[i] for i in (1, 2, 3))
            cache[counts] = bool(bad)
        failures += cache[counts]
    assert within(failures, trials, alpha)


def _beta_draws(seed: int, trials: int, n: int, a: float, b: float) -> tuple[np.ndarray, float]:
    return np.random.default_rng(seed).beta(a, b, size=(trials, n)), a / (a + b)


@pytest.mark.parametrize("a,b", [(8.0, 2.0), (0.5, 0.5)])
def test_hoeffding_and_bernstein(a: float, b: float) -> None:
    n, alpha, trials = 40, 0.2, 3000
    x, mu = _beta_draws(3, trials, n, a, b)
    f_h_lo = f_h_up = f_b_lo = f_b_up = 0
    for row in x:
        fr = [Fraction(float(v)) for v in row]
        s = sum(fr)
        mean = s / n
        var = (sum(v * v for v in fr) - s * s / n) / (n - 1)
        f_h_lo += hoeffding_lower(mean, n, alpha).value > mu
        f_h_up += hoeffding_upper(mean, n, alpha).value < mu
        f_b_lo += bernstein_lower(mean, var, n, alpha).value > mu
        f_b_up += bernstein_upper(mean, var, n, alpha).value < mu
    for f in (f_h_lo, f_h_up, f_b_lo, f_b_up):
        assert within(f, trials, alpha)


@pytest.mark.parametrize("a,b", [(8.0, 2.0), (1.0, 1.0)])
def test_betting(a: float, b: float) -> None:
    n, alpha, trials = 60, 0.2, 1500
    x, mu = _beta_draws(4, trials, n, a, b)
    lo = sum(betting_lower(row, alpha).value > mu for row in x)
    up = sum(betting_upper(row, alpha).value < mu for row in x)
    assert within(int(lo), trials, alpha)
    assert within(int(up), trials, alpha)


@pytest.mark.parametrize("n,p", [(30, 0.6), (100, 0.97)])
def test_randomized_cp_is_exact(n: int, p: float) -> None:
    """Failure rate <= α, and (being exact, unlike CP) not far below it either."""
    alpha, trials = 0.1, 3000
    rng = np.random.default_rng(5)
    ks = rng.binomial(n, p, size=trials)
    us = rng.uniform(size=trials)  # drawn independently of the counts, as committed U must be
    fails = sum(
        randomized_cp_lower(int(k), n, alpha, float(u)).value > p for k, u in zip(ks, us, strict=True)
    )
    assert within(int(fails), trials, alpha)
    assert fails >= binom.ppf(0.001, trials, alpha)


def test_population_bound() -> None:
    m, alpha, rho, trials = 500, 0.1, 0.1, 4000
    rng = np.random.default_rng(6)
    robust = np.zeros(m, dtype=bool)
    robust[: int(0.3 * m)] = True  # true certified accuracy 0.3
    # worst case: robust inputs always certified, non-robust ones falsely certified with probability alpha
    false_cert = rng.uniform(size=(trials, m)) < alpha
    y_hat = (robust | false_cert).mean(axis=1)
    fails = sum(float(population_lower_bound(Fraction(float(y)), alpha, rho, m).value) > 0.3 for y in y_hat)
    assert within(int(fails), trials, rho)


@pytest.mark.parametrize("c,n,alpha", [(2, 1000, 0.05), (10, 1000, 0.01)])
def test_selection_reuse_pitfall(c: int, n: int, alpha: float) -> None:
    """Bound the argmax of the estimation counts at α: fails ≈ c·α in the worst case (docs/theory.md §1)."""
    trials = 4000
    p = 1.0 / c
    table = np.array([cp_lower(k, n, alpha).value for k in range(n + 1)])
    draws = np.random.default_rng(7).multinomial(n, [p] * c, size=trials)
    fails = int(np.sum(table[draws.max(axis=1)] > p))
    assert not within(fails, trials, alpha)  # clearly over budget
    assert fails / trials > 0.6 * c * alpha
    bound = float(reuse_failure_bound(alpha, c))
    assert within(fails, trials, bound)  # and the stated effective bound c·α holds
