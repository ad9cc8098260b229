"""Randomized Clopper–Pearson (uniformly most accurate), between CP(k) and CP(k+1).

Solves ``P_p(X > k) + U·P_p(X = k) = α`` with a uniform ``U`` committed before sampling. Declared for
comparisons; not yet usable in a certificate, which would have to record how its ``U`` was committed
independently of the counts.

Guarantee: P(p < low) = α exactly, for U ~ Uniform(0, 1) fixed before and independently of the counts.

Source: Stevens 1950; docs/theory.md §2.
"""

from __future__ import annotations

from audit.theory.methods.base import EvidenceKind, IntervalMethod

METHOD = IntervalMethod.declare(__doc__, "randomized-cp", EvidenceKind.COUNTS)
