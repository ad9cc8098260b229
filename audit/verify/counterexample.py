"""Tightness witnesses for inflated claims: a base classifier within the bounds that breaks the claim.

Guarantees: a witness is produced only for radius methods that are tight (THEORY.md §3 Cohen top-1, §5 Laplace
binary), and only after checking, at the verification precision, that the constructed classifier gives the
certified label probability < 1/2 at a perturbation of norm equal to the claimed radius (so the smoothed
classifier changes its prediction there while every stated bound still holds). Otherwise ``None``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from audit.format import Predicate
from audit.format.numbers import decimal_string
from audit.theory import mp_backend
from audit.verify.derivation import Derived


def counterexample(pred: Predicate, der: Derived, claimed: Fraction) -> dict[str, Any] | None:
    """A witness dict (``construction``, probabilities, ``summary``) or ``None`` if no tight construction."""
    method = pred.guarantee.radius_method
    pl = der.pl_low
    if pl is None or der.radius is None:
        return None
    B = mp_backend(der.dps)
    half = Fraction(1, 2)
    if method == "cohen" and pred.guarantee.k == 1:
        assert pred.smoothing.sigma is not None
        sigma = pred.smoothing.sigma.value
        p_shift = B.phi(B.phi_inv(B.num(pl)) - B.num(claimed) / B.num(sigma))
        p_frac = B.to_fraction(B.up(p_shift))
        if not p_frac < half:
            return None
        return {
            "construction": "half-space: f(z) = label iff <z - x, delta>/(sigma |delta|) <= PhiInv(pA_low)",
            "delta_norm": decimal_string(claimed, 20, "down"),
            "p_label_at_x": decimal_string(pl, 20, "down"),
            "p_label_at_x_plus_delta": decimal_string(p_frac, 20, "up"),
            "summary": (
                f"half-space classifier with P(label)={decimal_string(pl, 12, 'down')} at x has "
                f"P(label)={decimal_string(p_frac, 12, 'up')} < 1/2 at distance "
                f"{decimal_string(claimed, 12, 'down')}: "
                "the smoothed prediction changes inside the claimed radius"
            ),
        }
    if method == "laplace-binary":
        assert pred.smoothing.lam is not None
        lam = pred.smoothing.lam.value
        lam_b = B.num(lam)
        t = -lam_b * B.log(2 * (1 - B.num(pl)))
        s = t - B.num(claimed)  # threshold seen from x + delta, delta = (claimed, 0, ..., 0)
        p_shift = B.exp(s / lam_b) / 2 if s < 0 else 1 - B.exp(-s / lam_b) / 2
        p_frac = B.to_fraction(B.up(p_shift))
        if not p_frac < half:
            return None
        return {
            "construction": "f(z) = label iff z_1 <= t, t = -lambda ln(2(1 - pA_low)), delta = (R', 0, ..)",
            "delta_norm": decimal_string(claimed, 20, "down"),
            "p_label_at_x": decimal_string(pl, 20, "down"),
            "p_label_at_x_plus_delta": decimal_string(p_frac, 20, "up"),
            "summary": (
                f"threshold classifier with P(label)={decimal_string(pl, 12, 'down')} at x has "
                f"P(label)={decimal_string(p_frac, 12, 'up')} < 1/2 at l1 distance "
                f"{decimal_string(claimed, 12, 'down')}"
            ),
        }
    return None
