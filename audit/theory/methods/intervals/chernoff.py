"""Chernoff–Hoeffding relative-entropy bound on a mean of [0, 1] scores: never looser than Hoeffding.

The lower bound is ``L = inf{m ≤ X̄ : n·kl(X̄, m) ≤ ln(1/α)}`` with the Bernoulli relative entropy
``kl(p, q) = p ln(p/q) + (1 − p) ln((1 − p)/(1 − q))``; the upper bound mirrors it, ``1 − L(1 − X̄)``. By
Pinsker's inequality ``kl(p, q) ≥ 2(p − q)²`` it is at least Hoeffding's ``X̄ − sqrt(ln(1/α)/(2n))``.
Computed by bisection on the decreasing ``m ↦ kl(X̄, m)``, with ``X̄`` rounded down, ``ln(1/α)/n`` rounded up,
and the result moved down by more than the evaluation error over the slope (so it is below the exact root).

Guarantee: P(μ < L) ≤ α for i.i.d. scores in [0, 1] (P(X̄ ≥ μ + t) ≤ exp(−n·kl(μ + t, μ))).

Source: Hoeffding 1963, Thm 1; docs/theory.md §2.
"""

from __future__ import annotations

from audit.format.numbers import Exact
from audit.theory.methods.base import EvidenceKind, IntervalMethod, Need
from audit.theory.methods.scores import from_sums, split
from audit.theory.precision import FLOAT, Backend, Bound, Real, check_alpha, check_n, check_unit


def _kl_lower(x: Real, c: Real, B: Backend) -> Real:
    """The conservative root of ``kl(x, m) = c`` below ``x`` (``0 < x ≤ 1``)."""

    def terms(m: Real) -> tuple[Real, Real]:
        t1 = x * (B.log(x) - B.log(m))
        t2 = (1 - x) * (B.log(1 - x) - B.log(1 - m)) if x < 1 else B.zero
        return t1, t2

    def f(m: Real) -> Real:
        t1, t2 = terms(m)
        return t1 + t2 - c

    lo = B.root_decreasing(f, B.zero, x)
    if not lo > 0:
        return B.zero
    t1, t2 = terms(lo)
    slope = x / lo - ((1 - x) / (1 - lo) if x < 1 else 0)  # −f'(lo) > 0 below x
    error = 16 * B.rel_margin() * (abs(t1) + abs(t2) + c + 1)  # evaluation error of f, generously
    shifted = lo - 2 * error / slope
    return B.down(shifted) if shifted > 0 else B.zero


def chernoff_lower(mean: Exact, n: int, alpha: Exact, backend: Backend = FLOAT) -> Bound:
    """Lower confidence bound on the mean of ``n`` i.i.d. [0, 1] scores with sample mean ``mean``."""
    a, m = check_alpha(alpha), check_unit(mean, "mean")
    check_n(n)
    B = backend
    if m == 0:
        return Bound(B.zero, "lower", "chernoff", a)
    c = B.up(B.log(B.num(1 / a, "up")) / B.num(n, "down"), 16)
    return Bound(_kl_lower(B.num(m, "down"), c, B), "lower", "chernoff", a)


def chernoff_upper(mean: Exact, n: int, alpha: Exact, backend: Backend = FLOAT) -> Bound:
    """Upper confidence bound: ``1 − chernoff_lower(1 − mean)``, rounded up."""
    low = chernoff_lower(1 - check_unit(mean, "mean"), n, alpha, backend)
    B = backend
    return Bound(B.num(1 - B.to_fraction(low.value), "up"), "upper", "chernoff", low.alpha)


compute = from_sums(chernoff_lower, chernoff_upper, variance=False)

METHOD = IntervalMethod.declare(
    __doc__,
    "chernoff",
    EvidenceKind.SCORE_SUMS,
    serves=frozenset({Need.RUNNER_UP}),
    split=split,
    compute=compute,
)
