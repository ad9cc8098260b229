"""Gaussian noise N(0, σ²I): Cohen et al.'s top-1 radius (one bound, or two) and Jia et al.'s top-k radius.

Tightness (Cohen et al. 2019, Thm 2): for ‖δ‖ above σ·Φ⁻¹(pA_low) the half-space classifier "label iff
⟨z − x, δ⟩/(σ‖δ‖) ≤ Φ⁻¹(pA_low)" has P(label) = pA_low at x and P(label) < 1/2 at x + δ.
"""

from __future__ import annotations

from fractions import Fraction

from audit.theory.gaussian import cohen_radius, topk_radius
from audit.theory.methods.base import (
    BoundNames,
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
    name="gaussian", parameter="sigma", norm="l2",
    summary="isotropic Gaussian noise N(0, σ²I) in the units of the certified norm",
    top1="cohen", topk="topk", soft="soft-gaussian", upper_bounds="topk",
)  # fmt: skip


def half_space(params: Params, pl: Fraction, claimed: Fraction, B: Backend) -> Witness | None:
    """The half-space classifier along δ with ‖δ‖ = claimed: P(label) at x + δ, if below 1/2."""
    sigma = need(params.sigma, "sigma")
    p_shift = B.phi(B.phi_inv(B.num(pl)) - B.num(claimed) / B.num(sigma))
    construction = "half-space: f(z) = label iff <z - x, delta>/(sigma |delta|) <= PhiInv(pA_low)"
    tail = ": the smoothed prediction changes inside the claimed radius"
    p = upper_fraction(B, p_shift)
    return below_half(construction, "half-space classifier", pl, p, claimed, "distance", tail)


def cohen(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """R = σ·Φ⁻¹(pA_low); abstain when pA_low ≤ 1/2.

    Guarantee: g(x + δ) = label for ‖δ‖₂ < R (tight).

    Source: Cohen, Rosenfeld & Kolter 2019, Thm 1; docs/theory.md §3.
    """
    return cohen_radius(lower, need(params.sigma, "sigma"), None, B)


def two_bound(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """R = σ/2·(Φ⁻¹(pA_low) − Φ⁻¹(pB_up)).

    Guarantee: g(x + δ) = label for ‖δ‖₂ < R.

    Source: Cohen, Rosenfeld & Kolter 2019, Thm 1; docs/theory.md §3.
    """
    return cohen_radius(lower, need(params.sigma, "sigma"), max(uppers), B)


def topk(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """R = max_t R_t, R_t the root of Φ(Φ⁻¹(pl_low) − R/σ) = Φ(Φ⁻¹(pS_t) + R/σ)/t.

    Guarantee: label ∈ top-k of g(x + δ) for ‖δ‖₂ < R (tight under the bound conditions of Thm 2).

    Source: Jia, Cao, Wang & Gong 2020, Thm 1; docs/theory.md §3.
    """
    return topk_radius(lower, uppers, params.k, need(params.sigma, "sigma"), B)


METHODS = (
    RadiusMethod.declare(cohen, "cohen", "gaussian", Need.LOWER, params=("sigma",), default_interval="cp",
                         counterexample=half_space),
    RadiusMethod.declare(two_bound, "cohen-two-bound", "gaussian", Need.RUNNER_UP, params=("sigma",),
                         default_interval="cp", reduces_to="cohen"),
    RadiusMethod.declare(topk, "topk", "gaussian", Need.EACH, params=("sigma",), default_interval="simuem",
                         topk=True, names=BoundNames(lower="pl_low")),
)  # fmt: skip
