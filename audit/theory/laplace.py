"""Laplace noise, L1 radii (docs/theory.md §5, Teng et al.): multi-class Thm 1, binary Thm 2, Lecuyer's bound.

Lower bounds are read rounded down, upper bounds rounded up, λ rounded down; every radius is rounded toward
zero; ``None`` means abstain (radius <= 0).
"""

from __future__ import annotations

from audit.errors import UsageError
from audit.theory.gaussian import _positive, _prob
from audit.theory.precision import FLOAT, Backend, Exact, Real


def _inputs(
    B: Backend, pA_low: Exact | Real, pB_up: Exact | Real, lam: Exact | Real
) -> tuple[Real, ...] | None:
    """(pA_low rounded down, pB_up rounded up, λ rounded down), or None (abstain) unless pA_low > pB_up."""
    pa, pb = _prob(B, pA_low, "down", "pA_low"), _prob(B, pB_up, "up", "pB_up")
    lm = _positive(B, lam, "lambda")
    return (pa, pb, lm) if pa > pb else None


def _lecuyer(B: Backend, pa: Real, pb: Real, lm: Real) -> Real:
    if pb <= 0:
        raise UsageError("pB_up = 0 gives an unbounded radius")
    la, lb = B.log(pa), B.log(pb)
    r = lm / 2 * (la - lb)
    return B.down(r, cond=8 + (abs(float(la)) + abs(float(lb))) / max(abs(float(la - lb)), 1e-300))


def lecuyer_radius(
    pA_low: Exact | Real, pB_up: Exact | Real, lam: Exact | Real, backend: Backend = FLOAT
) -> Real | None:
    """Lecuyer et al.: ``(λ/2) ln(pA_low / pB_up)``; None = abstain."""
    given = _inputs(backend, pA_low, pB_up, lam)
    return None if given is None else _lecuyer(backend, *given)


def laplace_radius(
    pA_low: Exact | Real, pB_up: Exact | Real, lam: Exact | Real, backend: Backend = FLOAT
) -> Real | None:
    """Teng et al. Thm 1: ``max{(λ/2) ln(pA_low/pB_up), −λ ln(1 − pA_low + pB_up)}``; None = abstain."""
    B = backend
    given = _inputs(B, pA_low, pB_up, lam)
    if given is None:
        return None
    pa, pb, lm = given
    r1 = _lecuyer(B, pa, pb, lm)
    x = pb - pa  # in (-1, 0)
    if x <= -1:
        raise UsageError("pA_low = 1 and pB_up = 0 give an unbounded radius")
    r2 = B.down(-lm * B.log1p(x), cond=8)
    best = r2 if r2 > r1 else r1
    return best if best > 0 else None


def laplace_binary_radius(pA_low: Exact | Real, lam: Exact | Real, backend: Backend = FLOAT) -> Real | None:
    """Teng et al. Thm 2 (tight): ``−λ ln(2(1 − pA_low))`` for pA_low > 1/2; None = abstain."""
    B = backend
    pa = _prob(B, pA_low, "down", "pA_low")
    lm = _positive(B, lam, "lambda")
    if not pa > B.half:
        return None
    if pa >= 1:
        raise UsageError("pA_low = 1 gives an unbounded radius")
    r = -lm * B.log(2 * (1 - pa))
    cond = 8 + 1 / max(abs(float(B.log(2 * (1 - pa)))), 1e-300)
    r = B.down(r, cond=cond)
    return r if r > 0 else None
