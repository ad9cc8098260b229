"""Soft (continuous) smoothing radii from bounded means (docs/theory.md §6, Moutaouakil).

``soft_gaussian_radius`` is ``σ/2 (Φ⁻¹(F̂_y low) − Φ⁻¹(F̂_j up))``; ``soft_lipschitz_radius`` is
``M/(√2 L)`` with ``M = F̂_y low − max_{i≠y} F̂_i up``. Both round toward zero; ``None`` means abstain.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.errors import UsageError
from audit.theory.gaussian import _positive, _prob, cohen_radius
from audit.theory.precision import FLOAT, Backend, Exact, Real


def soft_gaussian_radius(
    fy_low: Exact | Real, fj_up: Exact | Real, sigma: Exact | Real, backend: Backend = FLOAT
) -> Real | None:
    """``σ/2 (Φ⁻¹(fy_low) − Φ⁻¹(fj_up))`` for soft scores in [0, 1] (x ↦ Φ⁻¹(E F_i) is 1/σ-Lipschitz)."""
    return cohen_radius(fy_low, sigma, fj_up, backend)


def soft_lipschitz_radius(
    fy_low: Exact | Real,
    others_up: Sequence[Exact | Real] | Exact | Real,
    lipschitz: Exact | Real,
    backend: Backend = FLOAT,
) -> Real | None:
    """``M/(√2 L)`` with ``M = fy_low − max(others_up)``; None = abstain (M <= 0)."""
    B = backend
    fy = _prob(B, fy_low, "down", "fy_low")
    ups = others_up if isinstance(others_up, Sequence) and not isinstance(others_up, str) else [others_up]
    if not ups:
        raise UsageError("need an upper bound for at least one other class")
    fj = max(_prob(B, u, "up", "upper bound") for u in ups)
    lip = B.num(lipschitz, "up")
    if not lip > 0:
        raise UsageError(f"lipschitz must be > 0, got {lipschitz}")
    m = fy - fj
    if not m > 0:
        return None
    r = m / (B.sqrt(B.num(2)) * lip)
    cond = 8 + (abs(float(fy)) + abs(float(fj))) / float(m)
    return B.down(r, cond=cond)


__all__ = ["soft_gaussian_radius", "soft_lipschitz_radius"]
_ = _positive
