"""Checks of hard-label evidence shared by the count-based interval methods."""

from __future__ import annotations

from audit.errors import UsageError
from audit.theory.methods.base import Evidence


def checked_counts(ev: Evidence) -> tuple[int, ...]:
    """The entry's counts, refusing (UsageError) counts that are missing, do not add up to n, or a label
    outside them."""
    if ev.counts is None:
        raise UsageError("hard-label radius methods need counts", field="counts")
    counts = tuple(ev.counts)
    if sum(counts) != ev.n:
        raise UsageError(f"counts sum to {sum(counts)}, not n={ev.n}", field="counts")
    if not 0 <= ev.label < len(counts):
        raise UsageError(f"label {ev.label} outside [0, {len(counts)})", field="label")
    return counts
