"""Betting (capital process) bound on a mean of [0, 1] scores, from the per-sample scores.

The scores are read in sampling order from a signed sidecar; the bets are predictable and clipped to
``[0, c/m]``.

Guarantee: P(μ < inf{m : K(m) < 1/α}) ≤ α by Ville's inequality, for i.i.d. scores in [0, 1].

Source: Waudby-Smith & Ramdas 2024, §4; docs/theory.md §2.
"""

from __future__ import annotations

from fractions import Fraction

from audit.errors import UsageError
from audit.theory.betting import betting_lower, betting_upper
from audit.theory.methods.base import Bounds, Evidence, EvidenceKind, IntervalMethod, Need
from audit.theory.methods.scores import mean_bounds, split
from audit.theory.precision import Backend


def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
    xs = ev.samples
    if xs is None:
        raise UsageError("betting bounds need the per-sample scores (scores.sidecar)", field="scores.sidecar")
    for i, row in enumerate(xs):
        if len(row) != ev.n:
            raise UsageError(
                f"class {i} has {len(row)} per-sample scores, expected n={ev.n}", field="samples"
            )

    def bound(row, side: str, a: Fraction, backend: Backend):
        return (betting_lower if side == "lower" else betting_upper)(row, a, backend).value

    return mean_bounds(list(xs), ev, alpha, B, bound)


METHOD = IntervalMethod.declare(
    __doc__, "betting", EvidenceKind.SCORE_SAMPLES,
    serves=frozenset({Need.RUNNER_UP}), split=split, compute=compute,
)  # fmt: skip
