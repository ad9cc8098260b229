"""Exact Buehler-type lower bound on p_A − p_B (no Bonferroni split).

For two labels fixed in advance, with a certified inner supremum over the reduced trinomial. Declared for
comparisons: no radius method in the registry consumes a margin bound yet.

Guarantee: P(p_A − p_B < low) ≤ α (the inner supremum is certified, never a local optimum).

Source: Moutaouakil §4 (exact bounds on functions of multinomial parameters); docs/theory.md §2.
"""

from __future__ import annotations

from audit.theory.methods.base import EvidenceKind, IntervalMethod

METHOD = IntervalMethod.declare(__doc__, "exact-margin", EvidenceKind.COUNTS, aliases=("exact",))
