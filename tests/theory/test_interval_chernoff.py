"""The ``chernoff`` interval method (Hoeffding's relative-entropy bound) against an independent root.

References come from mpmath's ``findroot`` on ``kl(x̄, m) = ln(1/α)/n`` at 60 digits, written out here; the
mean-1 case is the closed form ``α^(1/n)`` (= the Clopper–Pearson bound for n of n, docs/theory.md §9).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from audit.theory import FLOAT, hoeffding_lower, methods, mp_backend
from audit.theory.methods.intervals.chernoff import chernoff_lower, chernoff_upper

B = mp_backend(50)


def reference(mean: Fraction, n: int, alpha: str) -> mpmath.mpf:
    with mpmath.workdps(60):
        x = mpmath.mpf(mean.numerator) / mean.denominator
        c = mpmath.log(1 / mpmath.mpf(alpha)) / n
        if x == 1:
            return mpmath.exp(-c)

        def g(m: mpmath.mpf) -> mpmath.mpf:
            return x * mpmath.log(x / m) + (1 - x) * mpmath.log((1 - x) / (1 - m)) - c

        return mpmath.findroot(g, (mpmath.mpf(10) ** -40, x - mpmath.mpf(10) ** -40), solver="anderson")


GRID = [
    (Fraction(9, 10), 100, "0.001"),
    (Fraction(1, 2), 1000, "0.05"),
    (Fraction(1, 1000), 10000, "0.001"),
    (Fraction(999, 1000), 10000, "0.001"),
    (Fraction(93, 100), 100000, "0.0005"),
    (Fraction(3, 7), 37, "0.01"),
]


@pytest.mark.parametrize(("mean", "n", "alpha"), GRID)
def test_lower_bound_is_the_root_rounded_down(mean: Fraction, n: int, alpha: str) -> None:
    ref = Fraction(mpmath.nstr(reference(mean, n, alpha), 60, strip_zeros=False))
    value = B.to_fraction(chernoff_lower(mean, n, alpha, B).value)
    assert value <= ref and (ref - value) / ref < Fraction(1, 10**30)
    assert Fraction(chernoff_lower(mean, n, alpha, FLOAT).value) <= value  # the float path is never above


def test_mean_one_is_alpha_to_the_one_over_n() -> None:
    value = chernoff_lower(1, 100, "0.001", B).value
    assert mpmath.nstr(value, 17) == "0.93325430079699104"  # docs/theory.md §9: CP lower for 100 of 100
    assert chernoff_lower(0, 100, "0.001", B).value == 0


@pytest.mark.parametrize(("mean", "n", "alpha"), GRID)
def test_upper_mirrors_lower_and_hoeffding_is_never_tighter(mean: Fraction, n: int, alpha: str) -> None:
    up = B.to_fraction(chernoff_upper(mean, n, alpha, B).value)
    mirrored = 1 - B.to_fraction(chernoff_lower(1 - mean, n, alpha, B).value)
    assert up >= mirrored and up - mirrored < Fraction(1, 10**40)
    assert B.to_fraction(chernoff_lower(mean, n, alpha, B).value) >= B.to_fraction(
        hoeffding_lower(mean, n, alpha, B).value
    )  # Pinsker: kl(p, q) >= 2 (p - q)^2


@pytest.mark.parametrize(("a", "b"), [(8.0, 2.0), (1.0, 1.0), (0.5, 0.5)])
def test_coverage(a: float, b: float) -> None:
    """Simulated with known mean (Beta(a, b) scores, n = 100, α = 0.05, 4000 trials, fixed seed): the bound
    exceeds the true mean in at most α of the trials, up to 3 binomial standard deviations."""
    rng = np.random.default_rng(20261207)
    mu, n, alpha, trials = a / (a + b), 100, 0.05, 4000
    misses = sum(
        float(chernoff_lower(Fraction(float(x.mean())), n, alpha, FLOAT).value) > mu
        for x in rng.beta(a, b, size=(trials, n))
    )
    assert misses / trials <= alpha + 3 * (alpha * (1 - alpha) / trials) ** 0.5


def test_registered_for_soft_scores() -> None:
    m = methods.interval("chernoff")
    assert m.certifies and m.evidence is methods.EvidenceKind.SCORE_SUMS
    assert "Hoeffding 1963" in m.source and m.guarantee.startswith("P(μ < L) ≤ α")
