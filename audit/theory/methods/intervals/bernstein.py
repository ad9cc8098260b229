"""Empirical Bernstein bound on a mean of [0, 1] scores (uses the sample variance).

``X̄ − sqrt(2 V ln(2/α)/n) − 7 ln(2/α)/(3(n−1))`` with the unbiased sample variance ``V``; Moutaouakil's
statement with ``ln(1/α)`` is a misquote and too optimistic.

Guarantee: P(μ < X̄ − sqrt(2V ln(2/α)/n) − 7 ln(2/α)/(3(n−1))) ≤ α for i.i.d. scores in [0, 1], n ≥ 2.

Source: Maurer & Pontil 2009, Thm 4; docs/theory.md §2.
"""

from __future__ import annotations

from audit.theory.means import bernstein_lower, bernstein_upper
from audit.theory.methods.base import EvidenceKind, IntervalMethod, Need
from audit.theory.methods.scores import from_sums, split

compute = from_sums(bernstein_lower, bernstein_upper, variance=True)

METHOD = IntervalMethod.declare(
    __doc__, "bernstein", EvidenceKind.SCORE_SUMS,
    serves=frozenset({Need.RUNNER_UP}), split=split, compute=compute,
)  # fmt: skip
