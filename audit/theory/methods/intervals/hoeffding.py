"""Hoeffding bound on a mean of [0, 1] scores: ``X̄ − sqrt(ln(1/α)/(2n))``.

Guarantee: P(μ < X̄ − sqrt(ln(1/α)/(2n))) ≤ α for i.i.d. scores in [0, 1].

Source: Hoeffding 1963, Thm 2; docs/theory.md §2.
"""

from __future__ import annotations

from fractions import Fraction

from audit.theory.means import hoeffding_lower, hoeffding_upper, score_moments
from audit.theory.methods.base import Bounds, Evidence, EvidenceKind, IntervalMethod, Need
from audit.theory.methods.scores import mean_bounds, score_sums, split
from audit.theory.precision import Backend


def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
    def bound(sums: tuple, side: str, a: Fraction, backend: Backend):
        mean, _ = score_moments(ev.n, *sums)
        return (hoeffding_lower if side == "lower" else hoeffding_upper)(mean, ev.n, a, backend).value

    return mean_bounds(score_sums(ev), ev, alpha, B, bound)


METHOD = IntervalMethod.declare(
    __doc__,
    "hoeffding",
    EvidenceKind.SCORE_SUMS,
    serves=frozenset({Need.RUNNER_UP}),
    split=split,
    compute=compute,
)
