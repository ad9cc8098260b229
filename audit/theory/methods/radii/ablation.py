"""Randomized ablation (keep e of d pixels): Jia et al.'s L0 top-k radius, an exact integer.

The bounds are first rounded to multiples of 1/C(d, e) (label probabilities are such multiples), with exact
integer arithmetic: C(d, e) is astronomically large for images.
"""

from __future__ import annotations

from audit.theory.ablation import ablation_radius, levine_feizi_radius
from audit.theory.methods.base import BoundNames, Need, NoiseFamily, Params, RadiusMethod
from audit.theory.methods.params import need
from audit.theory.precision import Backend, Real

FAMILY = NoiseFamily(
    name="ablation", parameter="keep", norm="l0",
    summary="randomized ablation: keep e of the d pixels, uniformly without replacement",
    top1="ablation-topk", topk="ablation-topk", upper_bounds="ablation-topk",
)  # fmt: skip


def ablation_topk(params: Params, lower: Real, uppers: list[Real], B: Backend) -> int | None:
    """The largest integer r with pl' − Δ(r) > min_t (pΥ_t + Δ(r))/t, Δ(r) = 1 − C(d−r, e)/C(d, e).

    Guarantee: label ∈ top-k of g(x + δ) for ‖δ‖₀ ≤ r (almost tight: no method certifies r + 1(k≠1) + 1).

    Source: Jia, Wang, Cao, Liu & Gong 2022, Thm 1; docs/theory.md §4.
    """
    return ablation_radius(lower, uppers, params.k, need(params.d, "d"), need(params.keep, "keep"), B)


def levine_feizi(params: Params, lower: Real, uppers: list[Real], B: Backend) -> int | None:
    """Levine & Feizi's top-1 radius (the same condition without the rounding; a comparison)."""
    if params.k != 1:
        raise ValueError("Levine & Feizi's radius is top-1 only")
    return levine_feizi_radius(lower, max(uppers), need(params.d, "d"), need(params.keep, "keep"))


METHODS = (
    RadiusMethod.declare(ablation_topk, "ablation-topk", "ablation", Need.EACH, params=("d", "keep"),
                         topk=True, default_interval="simuem", names=BoundNames(lower="pl_low"),
                         comparisons={"levine-feizi": levine_feizi}),
)  # fmt: skip
