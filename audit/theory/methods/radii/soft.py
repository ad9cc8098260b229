"""Soft smoothing: radii from bounds on the smoothed class scores F̂ (means of [0, 1] scores)."""

from __future__ import annotations

from audit.theory.methods.base import BoundNames, Need, Params, RadiusMethod
from audit.theory.methods.params import need
from audit.theory.precision import Backend, Real
from audit.theory.soft import soft_gaussian_radius, soft_lipschitz_radius


def gaussian_margin(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """R = σ/2·(Φ⁻¹(F_low) − Φ⁻¹(F_up)).

    Guarantee: argmax F̂(x + δ) = label for ‖δ‖₂ < R (x ↦ Φ⁻¹(F̂_i(x)) is 1/σ-Lipschitz).

    Source: Salman et al. 2019, Lemma 2; Moutaouakil §3; docs/theory.md §6.
    """
    return soft_gaussian_radius(lower, max(uppers), need(params.sigma, "sigma"), B)


def lipschitz_margin(params: Params, lower: Real, uppers: list[Real], B: Backend) -> Real | None:
    """R = (F_low − F_up)/(√2·L), L the stated Lipschitz constant of the logit map.

    Guarantee: argmax F̂(x + δ) = label for perturbations within R (given the stated L).

    Source: Moutaouakil §3 (Lipschitz margin); docs/theory.md §6.
    """
    return soft_lipschitz_radius(lower, [max(uppers)], need(params.lipschitz, "lipschitz"), B)


_SOFT = {
    "output": "soft",
    "default_interval": "bernstein",
    "names": BoundNames(lower="F_low", runner_up="F_up"),
}

METHODS = (
    RadiusMethod.declare(
        gaussian_margin, "soft-gaussian", "gaussian", Need.RUNNER_UP, params=("sigma",), **_SOFT
    ),
    RadiusMethod.declare(
        lipschitz_margin, "soft-lipschitz", None, Need.RUNNER_UP, params=("lipschitz",), **_SOFT
    ),
)
