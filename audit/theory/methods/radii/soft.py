"""Soft smoothing: radii from bounds on the smoothed class scores F̂ (means of [0, 1] scores)."""

from __future__ import annotations

from audit.theory.methods.base import BoundNames, Need, Params, RadiusMethod
from audit.theory.methods.params import need
from audit.theory.precision import Backend, Real
from audit.theory.soft import soft_gaussian_radius, soft_lipschitz_radius

_NAMES = BoundNames(lower="F_low", runner_up="F_up")


def _gaussian(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    return soft_gaussian_radius(lower, max(uppers), need(params.sigma, "sigma"), B)


def _lipschitz(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    return soft_lipschitz_radius(lower, [max(uppers)], need(params.lipschitz, "lipschitz"), B)


METHODS = (
    RadiusMethod(
        name="soft-gaussian",
        family="gaussian",
        output="soft",
        need=Need.RUNNER_UP,
        topk=False,
        params=("sigma",),
        radius=_gaussian,
        summary="R = σ/2·(Φ⁻¹(F_low) − Φ⁻¹(F_up))",
        guarantee="argmax F̂(x + δ) = label for ‖δ‖₂ < R (x ↦ Φ⁻¹(F̂_i(x)) is 1/σ-Lipschitz)",
        source="Salman et al. 2019, Lemma 2; Moutaouakil §3; docs/theory.md §6",
        default_interval="bernstein",
        names=_NAMES,
    ),
    RadiusMethod(
        name="soft-lipschitz",
        family=None,
        output="soft",
        need=Need.RUNNER_UP,
        topk=False,
        params=("lipschitz",),
        radius=_lipschitz,
        summary="R = (F_low − F_up)/(√2·L), L the stated Lipschitz constant of the logit map",
        guarantee="argmax F̂(x + δ) = label for perturbations within R (given the stated L)",
        source="Moutaouakil §3 (Lipschitz margin); docs/theory.md §6",
        default_interval="bernstein",
        names=_NAMES,
    ),
)
