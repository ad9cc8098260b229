"""The shared shape of the soft-score interval methods: the label's mean bounded below at α/2, each other
class's mean bounded above at α/2; the largest of those upper bounds holds for the true runner-up (one
fixed class) with probability ≥ 1 − α/2, so the pair holds with probability ≥ 1 − α."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from audit.errors import UsageError
from audit.theory.means import score_moments
from audit.theory.methods.base import BoundNames, Bounds, Compute, Evidence, Need
from audit.theory.precision import Backend, Real

OneSided = Callable[[Any, str, Fraction, Backend], Real]
"""``(data of one class, "lower" | "upper", alpha, backend) -> bound value``."""


def split(need: Need, alpha: Fraction, c: int, label: int, names: BoundNames) -> list[tuple[str, Fraction]]:
    return [(names.lower, alpha / 2), (names.runner_up, alpha / 2)]


def mean_bounds(per_class: list[Any], ev: Evidence, alpha: Fraction, B: Backend, bound: OneSided) -> Bounds:
    """Bounds from per-class data (one item per class) with the one-sided ``bound``."""
    if not 0 <= ev.label < len(per_class):
        raise UsageError(f"label {ev.label} outside [0, {len(per_class)})", field="label")
    half = alpha / 2
    low = bound(per_class[ev.label], "lower", half, B)
    return Bounds(low, {i: bound(x, "upper", half, B) for i, x in enumerate(per_class) if i != ev.label})


def score_sums(ev: Evidence) -> list[tuple[Any, Any]]:
    """The entry's (sum, sumsq) per class (UsageError when the entry has no score statistics)."""
    sc = ev.scores
    if sc is None:
        raise UsageError("soft radius methods need scores with 'sum' and 'sumsq'", field="scores")
    if len(sc.sum) != len(sc.sumsq) or len(sc.sum) < 2:
        raise UsageError("scores 'sum' and 'sumsq' must have one entry per class (>= 2)", field="scores")
    return list(zip(sc.sum, sc.sumsq, strict=True))


def from_sums(lower: Callable[..., Any], upper: Callable[..., Any], *, variance: bool) -> Compute:
    """The ``compute`` of a method bounding each class's mean from its (sum, sumsq): ``lower``/``upper`` take
    ``(mean[, var], n, alpha, backend)`` and return a bound with a ``value``."""

    def compute(need: Need, ev: Evidence, alpha: Fraction, B: Backend) -> Bounds:
        def bound(sums: tuple, side: str, a: Fraction, backend: Backend) -> Real:
            mean, var = score_moments(ev.n, *sums)
            moments = (mean, var) if variance else (mean,)
            return (lower if side == "lower" else upper)(*moments, ev.n, a, backend).value

        return mean_bounds(score_sums(ev), ev, alpha, B, bound)

    return compute
