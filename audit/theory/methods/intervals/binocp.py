"""Clopper–Pearson on the label, 1 − lower for every other label (BinoCP).

With only the lower bound needed it is Clopper–Pearson; bounding the other labels by the mass the label
leaves costs nothing more.

Guarantee: P(p_label < low) ≤ α, and then every other p_i ≤ 1 − p_label ≤ 1 − low.

Source: Jia et al. 2020 (top-k certification), §3; docs/theory.md §2.
"""

from __future__ import annotations

from fractions import Fraction

from audit.theory.binomial import binocp_bounds
from audit.theory.methods.base import BoundNames, Bounds, Evidence, EvidenceKind, IntervalMethod, Need
from audit.theory.methods.counts import checked_counts
from audit.theory.precision import Backend


def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
    lb = binocp_bounds(checked_counts(ev), ev.label, alpha, B)
    return Bounds(lb.lower.value, {i: b.value for i, b in lb.uppers.items()})


def split(need: Need, alpha: Fraction, c: int, label: int, names: BoundNames) -> list[tuple[str, Fraction]]:
    return [(names.lower, alpha)]


METHOD = IntervalMethod.declare(
    __doc__, "binocp", EvidenceKind.COUNTS, serves=frozenset(Need), split=split, compute=compute,
    no_better_than={Need.LOWER: "cp"}, runner_up_implied=True,
)  # fmt: skip
