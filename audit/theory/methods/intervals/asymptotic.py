"""Asymptotic multinomial intervals: no finite-sample guarantee, so never valid in a certificate.

They are declared so that a certificate naming one is recognised and refused (the verifier's rule SA203).

Guarantee: none at finite n: the coverage is only asymptotic (n → ∞).

Source: docs/theory.md §2.
"""

from __future__ import annotations

from audit.theory.methods.base import EvidenceKind, IntervalMethod, parse_doc

_, _GUARANTEE, _ = parse_doc(__doc__)

_DECLARED = (  # name, what it is, source
    ("goodman", "Goodman's simultaneous multinomial intervals (chi-square approximation)", "Goodman 1965"),
    (
        "sison-glaz",
        "Sison–Glaz simultaneous multinomial intervals (Edgeworth approximation)",
        "Sison & Glaz 1995",
    ),
    ("normal", "normal-approximation (Wald) interval", "docs/theory.md §7"),
)

METHODS = tuple(
    IntervalMethod(
        name, EvidenceKind.COUNTS, summary, _GUARANTEE, f"{source}; docs/theory.md §2", finite_sample=False
    )
    for name, summary, source in _DECLARED
)
