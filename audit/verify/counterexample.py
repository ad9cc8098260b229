"""Tightness witnesses for inflated claims: a base classifier within the bounds that breaks the claim.

Guarantees: a witness is produced only for radius methods that declare a tight construction in the method
registry (docs/theory.md §3 Cohen top-1, §5 Laplace binary), and only after checking, at the verification
precision, that the constructed classifier gives the certified label probability < 1/2 at a perturbation of
norm equal to the claimed radius (so the smoothed classifier changes its prediction there while every stated
bound still holds). Otherwise ``None``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from audit.format import Predicate
from audit.format.numbers import decimal_string
from audit.theory import CertificationSpec, methods, mp_backend
from audit.verify.derivation import Derived


def counterexample(pred: Predicate, der: Derived, claimed: Fraction) -> dict[str, Any] | None:
    """A witness dict (``construction``, probabilities, ``summary``) or ``None`` if no tight construction."""
    construct = methods.radius_method(pred.guarantee.radius_method).counterexample
    if construct is None or der.pl_low is None or der.radius is None:
        return None
    w = construct(CertificationSpec.from_predicate(pred), der.pl_low, claimed, mp_backend(der.dps))
    if w is None:
        return None
    return {
        "construction": w.construction,
        "delta_norm": decimal_string(w.delta_norm, 20, "down"),
        "p_label_at_x": decimal_string(w.p_label_at_x, 20, "down"),
        "p_label_at_x_plus_delta": decimal_string(w.p_label_at_x_plus_delta, 20, "up"),
        "summary": w.summary,
    }
