"""Gaussian noise, L2 radii (THEORY.md §3): Cohen et al. top-1 and Jia et al. top-k.

All inputs are exact values or backend numbers; lower bounds are read rounded down, upper bounds rounded up,
σ rounded down. Every returned radius is rounded toward zero (``backend.down`` after a certified bracket), and
``None`` means abstain (radius <= 0).
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.errors import UsageError
from audit.theory.precision import FLOAT, Backend, Exact, Real


def _prob(B: Backend, x: Exact | Real, rnd: str, name: str) -> Real:
    v = B.num(x, rnd)  # type: ignore[arg-type]
    if not 0 <= v <= 1:
        raise UsageError(f"{name} must be a probability in [0, 1], got {x}")
    return v


def _positive(B: Backend, x: Exact | Real, name: str) -> Real:
    v = B.num(x, "f")
    if not v > 0:
        raise UsageError(f"{name} must be > 0, got {x}")
    return v


def _diff_cond(a: Real, b: Real) -> float:
    """Condition number of ``a - b`` relative to its inputs (for the rounding nudge)."""
    d = abs(float(a) - float(b))
    s = abs(float(a)) + abs(float(b))
    return 4.0 + (s / d if d > 0 else 1e300)


def cohen_radius(
    pA_low: Exact | Real, sigma: Exact | Real, pB_up: Exact | Real | None = None, backend: Backend = FLOAT
) -> Real | None:
    """Cohen et al.: ``σ Φ⁻¹(pA_low)`` (one bound) or ``σ/2 (Φ⁻¹(pA_low) − Φ⁻¹(pB_up))``; None = abstain."""
    B = backend
    pa = _prob(B, pA_low, "f", "pA_low")
    s = _positive(B, sigma, "sigma")
    if pB_up is None:
        if not pa > B.half:
            return None
        if pa >= 1:
            raise UsageError("pA_low = 1 gives an unbounded radius")
        return B.down(s * B.phi_inv(pa), cond=4)
    pb = _prob(B, pB_up, "c", "pB_up")
    if not pa > pb:
        return None
    if pa >= 1 or pb <= 0:
        raise UsageError("pA_low = 1 or pB_up = 0 gives an unbounded radius")
    a = B.phi_inv(pa)
    b = B.phi_inv(pb)
    r = s * (a - b) / 2
    if not r > 0:
        return None
    return B.down(r, cond=_diff_cond(a, b))


def topk_sums(pl_low: Real, uppers: Sequence[Real], k: int, backend: Backend) -> list[Real]:
    """``pS_t = min(p_b1 + … + p_bt, 1 − pl_low)`` for t = 1..k, over the k largest uppers in ascending order.

    Sums are rounded up (they are upper bounds)."""
    B = backend
    top = sorted(uppers)[-k:] if k <= len(uppers) else sorted(uppers)
    cap = B.up(1 - pl_low) if B.is_float else 1 - pl_low
    out: list[Real] = []
    acc = B.zero
    for t, u in enumerate(top, start=1):
        acc = acc + u
        if B.is_float:
            acc = B.up(acc, cond=t)
        out.append(min(acc, cap))
    return out


def topk_radius(
    pl_low: Exact | Real,
    uppers: Sequence[Exact | Real],
    k: int,
    sigma: Exact | Real,
    backend: Backend = FLOAT,
) -> Real | None:
    """Jia et al. 2020 Thm 1: ``R = max_t R_t``, R_t the root of ``Φ(a − R/σ) − Φ(b_t + R/σ)/t``.

    None means abstain (R <= 0).

    ``a = Φ⁻¹(pl_low)``, ``b_t = Φ⁻¹(pS_t)`` (:func:`topk_sums`). Each root is the lower end of a certified
    bracket of width ``backend.tolerance()·σ``; the result is then rounded toward zero.
    """
    B = backend
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise UsageError(f"k must be a positive integer, got {k!r}")
    if not uppers:
        raise UsageError("need upper bounds for at least one other label")
    pl = _prob(B, pl_low, "f", "pl_low")
    ups = [_prob(B, u, "c", "upper bound") for u in uppers]
    s = _positive(B, sigma, "sigma")
    if pl >= 1:
        raise UsageError("pl_low = 1 gives an unbounded radius")
    sums = topk_sums(pl, ups, k, B)
    if not sums[0] > 0:
        raise UsageError("all upper bounds are 0: the radius is unbounded")
    a = B.phi_inv(pl)
    best: Real | None = None
    for t, ps in enumerate(sums, start=1):
        if not pl > ps / t:  # g_t(0) <= 0: no positive root
            continue
        b = B.phi_inv(ps)
        if t == 1:
            r = B.down(s * (a - b) / 2, cond=_diff_cond(a, b))
        else:
            if best is not None and _g(B, a, b, t, best / s) <= 0:
                continue  # R_t <= best
            r = _root_t(B, a, b, t) * s
            r = B.down(r, cond=4)
        if best is None or r > best:
            best = r
    if best is None or not best > 0:
        return None
    return best


def _g(B: Backend, a: Real, b: Real, t: int, x: Real) -> Real:
    """``Φ(a − x) − Φ(b + x)/t`` (x = R/σ), strictly decreasing in x."""
    return B.phi(a - x) - B.phi(b + x) / t


def _root_t(B: Backend, a: Real, b: Real, t: int) -> Real:
    """Lower end of a certified bracket around the root x = R_t/σ of :func:`_g` (requires g(0) > 0)."""

    def f(x: Real) -> Real:
        return _g(B, a, b, t, x)

    def fp(x: Real) -> Real:
        return -B.npdf(a - x) - B.npdf(b + x) / t

    hi = max(B.one, (a - b))
    while f(hi) > 0:
        hi = hi * 2
    x0 = None
    if not B.is_float:
        x0 = B.num(_root_t(FLOAT, float(a), float(b), t))
    return B.root_decreasing(f, B.zero, hi, B.tolerance(), x0=x0, fprime=fp)
