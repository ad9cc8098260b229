"""Clopper–Pearson, one-sided exact binomial bounds: the default for hard labels.

For the label's count ``k`` of ``n``: ``low = BetaQuantile(α; k, n-k+1)``. With the runner-up needed, the
label's bound and the upper bound of the largest other count each spend α/2; the true runner-up is one fixed
class whose CP upper bound is at most that of the largest count (CP is monotone), so the pair holds with
probability ≥ 1 − α. Top-k (an upper bound on each label) is refused: it is ambiguous, use SimuEM or BinoCP.

Guarantee: P(p_label < low) ≤ α; with the runner-up, both bounds hold jointly with probability ≥ 1 − α.

Source: Clopper & Pearson 1934; docs/theory.md §2.
"""

from __future__ import annotations

from fractions import Fraction

from audit.theory.binomial import binocp_bounds, cp_lower, cp_upper
from audit.theory.methods.base import BoundNames, Bounds, Evidence, EvidenceKind, IntervalMethod, Need
from audit.theory.methods.counts import checked_counts
from audit.theory.precision import Backend


def split(need: Need, alpha: Fraction, c: int, label: int, names: BoundNames) -> list[tuple[str, Fraction]]:
    if need is Need.LOWER:
        return [(names.lower, alpha)]
    return [(names.lower, alpha / 2), (names.runner_up, alpha / 2)]


def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
    counts = checked_counts(ev)
    if need is Need.LOWER:
        lb = binocp_bounds(counts, ev.label, alpha, B)
        return Bounds(lb.lower.value, {i: b.value for i, b in lb.uppers.items()})
    lower = cp_lower(counts[ev.label], ev.n, alpha / 2, B).value
    top = max(c for i, c in enumerate(counts) if i != ev.label)
    up = cp_upper(top, ev.n, alpha / 2, B).value
    return Bounds(lower, {i: up for i in range(len(counts)) if i != ev.label})


METHOD = IntervalMethod.declare(
    __doc__, "cp", EvidenceKind.COUNTS,
    serves=frozenset({Need.LOWER, Need.RUNNER_UP}), split=split, compute=compute,
)  # fmt: skip
