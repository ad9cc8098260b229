"""Bonferroni over all c labels, Clopper–Pearson at α/c each (SimuEM).

Guarantee: all c bounds hold jointly with probability ≥ 1 − α.

Source: Jia et al. 2020 (top-k certification), §3; Jia et al. 2022 (ablation); docs/theory.md §2.
"""

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


# with c ≥ 2, α/c ≤ α/2 and CP is monotone in α: never better than cp where cp serves
METHOD = IntervalMethod.declare(
    __doc__, "simuem", EvidenceKind.COUNTS, serves=frozenset(Need), split=split, compute=compute,
    no_better_than={Need.LOWER: "cp", Need.RUNNER_UP: "cp"},
)  # fmt: skip
