"""Hoeffding bound on a mean of [0, 1] scores: ``X̄ − sqrt(ln(1/α)/(2n))``.

Guarantee: P(μ < X̄ − sqrt(ln(1/α)/(2n))) ≤ α for i.i.d. scores in [0, 1].

Source: Hoeffding 1963, Thm 2; docs/theory.md §2.
"""

from __future__ import annotations

from audit.theory.means import hoeffding_lower, hoeffding_upper
from audit.theory.methods.base import EvidenceKind, IntervalMethod, Need
from audit.theory.methods.scores import from_sums, split

compute = from_sums(hoeffding_lower, hoeffding_upper, variance=False)

METHOD = IntervalMethod.declare(
    __doc__, "hoeffding", EvidenceKind.SCORE_SUMS,
    serves=frozenset({Need.RUNNER_UP}), split=split, compute=compute,
)  # fmt: skip
