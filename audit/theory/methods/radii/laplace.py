"""Laplace noise with density (2λ)^(-d) exp(−‖z‖₁/λ): Teng et al.'s L1 radii, multi-class and binary.

Tightness of the binary radius (Teng et al. 2020, Thm 3): with δ = (R', 0, …, 0), R' > R, the classifier
"label iff z₁ ≤ t", t = −λ ln(2(1 − pA_low)), has P(label) = pA_low at x and P(label) < 1/2 at x + δ.
"""

from __future__ import annotations

from fractions import Fraction

from audit.theory.laplace import laplace_binary_radius, laplace_radius, lecuyer_radius
from audit.theory.methods.base import (
    Need,
    NoiseFamily,
    Params,
    RadiusMethod,
    Witness,
    below_half,
    upper_fraction,
)
from audit.theory.methods.params import need
from audit.theory.precision import Backend, Real

FAMILY = NoiseFamily(
    name="laplace", parameter="lambda", norm="l1", summary="i.i.d. Laplace noise of scale λ per coordinate",
    top1="laplace-multiclass", upper_bounds="laplace-multiclass",
)  # fmt: skip


def threshold(params: Params, pl: Fraction, claimed: Fraction, B: Backend) -> Witness | None:
    """The threshold classifier on the first coordinate with δ = (claimed, 0, …): P(label) at x + δ."""
    lam = B.num(need(params.lam, "lambda"))
    t = -lam * B.log(2 * (1 - B.num(pl)))
    s = t - B.num(claimed)  # the threshold seen from x + δ
    p_shift = B.exp(s / lam) / 2 if s < 0 else 1 - B.exp(-s / lam) / 2
    construction = "f(z) = label iff z_1 <= t, t = -lambda ln(2(1 - pA_low)), delta = (R', 0, ..)"
    p = upper_fraction(B, p_shift)
    return below_half(construction, "threshold classifier", pl, p, claimed, "l1 distance")


def multiclass(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """R = max{(λ/2)·ln(pA_low/pB_up), −λ·ln(1 − pA_low + pB_up)}.

    Guarantee: g(x + δ) = label for ‖δ‖₁ < R.

    Source: Teng, Lee & Yuan 2020, Thm 1; docs/theory.md §5.
    """
    return laplace_radius(lower, max(uppers), need(params.lam, "lambda"), B)


def binary(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """R = −λ·ln(2(1 − pA_low)); abstain when pA_low ≤ 1/2.

    Guarantee: g(x + δ) = label for ‖δ‖₁ < R (tight).

    Source: Teng, Lee & Yuan 2020, Thms 2–3; docs/theory.md §5.
    """
    return laplace_binary_radius(lower, need(params.lam, "lambda"), B)


def lecuyer(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """Lecuyer et al.'s bound, the first term of the multi-class radius (a comparison)."""
    return lecuyer_radius(lower, max(uppers), need(params.lam, "lambda"), B)


METHODS = (
    RadiusMethod.declare(multiclass, "laplace-multiclass", "laplace", Need.RUNNER_UP, params=("lambda",),
                         default_interval="cp", reduces_to="laplace-binary",
                         comparisons={"lecuyer": lecuyer}),
    RadiusMethod.declare(binary, "laplace-binary", "laplace", Need.LOWER, params=("lambda",),
                         default_interval="cp", counterexample=threshold),
)  # fmt: skip
