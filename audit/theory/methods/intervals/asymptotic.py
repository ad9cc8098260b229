"""Asymptotic multinomial intervals: no finite-sample guarantee, so never valid in a certificate. They are
declared so that a certificate naming one is recognised and refused (the verifier's rule SA203)."""

from __future__ import annotations

from audit.theory.methods.base import EvidenceKind, IntervalMethod

_GUARANTEE = "none at finite n: the coverage is only asymptotic (n → ∞)"

METHODS = (
    IntervalMethod(
        name="goodman",
        evidence=EvidenceKind.COUNTS,
        summary="Goodman's simultaneous multinomial intervals (chi-square approximation)",
        guarantee=_GUARANTEE,
        source="Goodman 1965; docs/theory.md §2",
        finite_sample=False,
    ),
    IntervalMethod(
        name="sison-glaz",
        evidence=EvidenceKind.COUNTS,
        summary="Sison–Glaz simultaneous multinomial intervals (Edgeworth approximation)",
        guarantee=_GUARANTEE,
        source="Sison & Glaz 1995; docs/theory.md §2",
        finite_sample=False,
    ),
    IntervalMethod(
        name="normal",
        evidence=EvidenceKind.COUNTS,
        summary="normal-approximation (Wald) interval",
        guarantee=_GUARANTEE,
        source="docs/theory.md §2, §7",
        finite_sample=False,
    ),
)
