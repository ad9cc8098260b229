"""SimuEM (Jia et al. 2020): Bonferroni over all c labels, each a one-sided Clopper–Pearson bound at α/c."""

from __future__ import annotations

from fractions import Fraction

from audit.theory.binomial import simuem_bounds
from audit.theory.methods.base import BoundNames, Bounds, Evidence, EvidenceKind, IntervalMethod, Need
from audit.theory.methods.counts import checked_counts
from audit.theory.precision import Backend


def split(need: Need, alpha: Fraction, c: int, label: int, names: BoundNames) -> list[tuple[str, Fraction]]:
    return [(names.lower, alpha / c)] + [(f"p_up[{i}]", alpha / c) for i in range(c) if i != label]


def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
    lb = simuem_bounds(checked_counts(ev), ev.label, alpha, B)
    return Bounds(lb.lower.value, {i: b.value for i, b in lb.uppers.items()}, each_paid=True)


METHOD = IntervalMethod(
    name="simuem",
    evidence=EvidenceKind.COUNTS,
    summary="Bonferroni over all c labels, Clopper–Pearson at α/c each",
    guarantee="all c bounds hold jointly with probability ≥ 1 − α",
    source="Jia et al. 2020 (top-k certification), §3; Jia et al. 2022 (ablation); docs/theory.md §2",
    serves=frozenset({Need.LOWER, Need.RUNNER_UP, Need.EACH}),
    split=split,
    compute=compute,
    no_better_than={Need.LOWER: "cp", Need.RUNNER_UP: "cp"},
)
