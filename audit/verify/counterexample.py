"""Tightness witnesses for inflated claims: a base classifier within the bounds that breaks the claim.

Guarantees: a witness is produced only for radius methods that declare a tight construction in the method
registry (docs/theory.md §3 Cohen top-1, §5 Laplace binary), and only after checking, at the verification
precision, that the constructed classifier gives the certified label probability < 1/2 at a perturbation of
norm equal to the claimed radius (so the smoothed classifier changes its prediction there while every stated
bound still holds). Otherwise ``None``.
"""

from __future__ import annotations

from fractions import Fraction

from audit.format import Predicate
from audit.theory import CertificationSpec, methods, mp_backend
from audit.theory.methods.base import Witness
from audit.verify.derivation import Derived


def counterexample(pred: Predicate, der: Derived, claimed: Fraction) -> Witness | None:
    """The registry construction's witness against ``claimed``, or ``None`` if there is none."""
    construct = methods.radius_method(pred.guarantee.radius_method).counterexample
    if construct is None or der.pl_low is None or der.radius is None:
        return None
    return construct(CertificationSpec.from_predicate(pred), der.pl_low, claimed, mp_backend(der.dps))
