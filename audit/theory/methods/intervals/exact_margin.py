"""Exact (Buehler-type) lower bound on the margin ``p_A − p_B`` of two labels fixed in advance, with a
certified inner supremum over the reduced trinomial. Declared for comparisons: no radius method in the
registry consumes a margin bound yet."""

from __future__ import annotations

from audit.theory.methods.base import EvidenceKind, IntervalMethod

METHOD = IntervalMethod(
    name="exact-margin",
    evidence=EvidenceKind.COUNTS,
    summary="exact Buehler-type lower bound on p_A − p_B (no Bonferroni split)",
    guarantee="P(p_A − p_B < low) ≤ α (the inner supremum is certified, never a local optimum)",
    source="Moutaouakil §4 (exact bounds on functions of multinomial parameters); docs/theory.md §2",
    aliases=("exact",),
)
