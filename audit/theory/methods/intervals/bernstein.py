"""Empirical Bernstein bound on a mean of [0, 1] scores (uses the sample variance).

``X̄ − sqrt(2 V ln(2/α)/n) − 7 ln(2/α)/(3(n−1))`` with the unbiased sample variance ``V``; Moutaouakil's
statement with ``ln(1/α)`` is a misquote and too optimistic.

Guarantee: P(μ < X̄ − sqrt(2V ln(2/α)/n) − 7 ln(2/α)/(3(n−1))) ≤ α for i.i.d. scores in [0, 1], n ≥ 2.

Source: Maurer & Pontil 2009, Thm 4; docs/theory.md §2.
"""

from __future__ import annotations

from fractions import Fraction

from audit.theory.means import bernstein_lower, bernstein_upper, score_moments
from audit.theory.methods.base import Bounds, Evidence, EvidenceKind, IntervalMethod, Need
from audit.theory.methods.scores import mean_bounds, score_sums, split
from audit.theory.precision import Backend


def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
    def bound(sums: tuple, side: str, a: Fraction, backend: Backend):
        mean, var = score_moments(ev.n, *sums)
        return (bernstein_lower if side == "lower" else bernstein_upper)(mean, var, ev.n, a, backend).value

    return mean_bounds(score_sums(ev), ev, alpha, B, bound)


METHOD = IntervalMethod.declare(
    __doc__,
    "bernstein",
    EvidenceKind.SCORE_SUMS,
    serves=frozenset({Need.RUNNER_UP}),
    split=split,
    compute=compute,
)
