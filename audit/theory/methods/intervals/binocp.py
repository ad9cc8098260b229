"""BinoCP (Jia et al. 2020, top-k seed): the label's Clopper–Pearson bound at α; every other label is
bounded by 1 − lower, which costs nothing more. With only the lower bound needed it is Clopper–Pearson."""

from __future__ import annotations

from fractions import Fraction

from audit.theory.binomial import binocp_bounds
from audit.theory.methods.base import BoundNames, Bounds, Evidence, EvidenceKind, IntervalMethod, Need
from audit.theory.methods.counts import checked_counts
from audit.theory.precision import Backend


def split(need: Need, alpha: Fraction, c: int, label: int, names: BoundNames) -> list[tuple[str, Fraction]]:
    return [(names.lower, alpha)]


def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
    lb = binocp_bounds(checked_counts(ev), ev.label, alpha, B)
    return Bounds(lb.lower.value, {i: b.value for i, b in lb.uppers.items()})


METHOD = IntervalMethod(
    name="binocp",
    evidence=EvidenceKind.COUNTS,
    summary="Clopper–Pearson on the label, 1 − lower for every other label",
    guarantee="P(p_label < low) ≤ α, and then every other p_i ≤ 1 − p_label ≤ 1 − low",
    source="Jia et al. 2020 (top-k certification), §3; docs/theory.md §2",
    serves=frozenset({Need.LOWER, Need.RUNNER_UP, Need.EACH}),
    split=split,
    compute=compute,
    no_better_than={Need.LOWER: "cp"},
    runner_up_implied=True,
)
