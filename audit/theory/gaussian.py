"""Gaussian noise, L2 radii (docs/theory.md §3): Cohen et al. top-1 and Jia et al. top-k.

All inputs are exact values or backend numbers; lower bounds are read rounded down, upper bounds rounded up,
σ rounded down. Every returned radius is rounded toward zero (``backend.down`` after a certified bracket), and
``None`` means abstain (radius <= 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from audit.errors import UsageError
from audit.theory.precision import FLOAT, Backend, Exact, Real


def _prob(B: Backend, x: Exact | Real, rnd: str, name: str) -> Real:
    v = B.num(x, rnd)  # type: ignore[arg-type]
    if not 0 <= v <= 1:
        raise UsageError(f"{name} must be a probability in [0, 1], got {x}")
    return v


def _positive(B: Backend, x: Exact | Real, name: str) -> Real:
    v = B.num(x, "down")
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
    pa = _prob(B, pA_low, "down", "pA_low")
    s = _positive(B, sigma, "sigma")
    if pB_up is None:
        if not pa > B.half:
            return None
        if pa >= 1:
            raise UsageError("pA_low = 1 gives an unbounded radius")
        return B.down(s * B.phi_inv(pa), cond=4)
    pb = _prob(B, pB_up, "up", "pB_up")
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
    pl = _prob(B, pl_low, "down", "pl_low")
    ups = [_prob(B, u, "up", "upper bound") for u in uppers]
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
    """Lower end of a certified bracket around the root x = R_t/σ of :func:`_g` (requires g(0) > 0).

    mp backends: one evaluation at the float root and a 4th-order Taylor model (:func:`_root_t_taylor`),
    else Halley steps certified by :func:`_certify_mvt`; if neither succeeds, safeguarded Newton/bisection
    with sign checks at both ends (:meth:`Backend.root_decreasing`).
    """
    x0 = None
    if not B.is_float:
        x0 = B.num(_root_t(FLOAT, float(a), float(b), t))
        r = _root_t_taylor(B, a, b, t, x0)
        if r is None:
            r = _root_t_halley(B, a, b, t, x0)
        if r is not None:
            return r

    def f(x: Real) -> Real:
        return _g(B, a, b, t, x)

    def fp(x: Real) -> Real:
        return -B.npdf(a - x) - B.npdf(b + x) / t

    hi = max(B.one, (a - b))
    while f(hi) > 0:
        hi = hi * 2
    return B.root_decreasing(f, B.zero, hi, B.tolerance(), x0=x0, fprime=fp)


_M5 = 2.13
"""Bound on ``sup |d⁴φ/du⁴|`` = ``K·sqrt(4!)/sqrt(2π)`` (Cramér's inequality, K = 1.086435)."""


def _root_t_taylor(B: Backend, a: Real, b: Real, t: int, x0: Real) -> Real | None:
    """One evaluation at ``x0``: the 4th-order Taylor polynomial P of :func:`_g` (closed-form derivatives,
    ``d^m φ/du^m = (-1)^m He_m(u) φ(u)``), its root ``x`` and the bracket ``[x - tol/2, x + tol/2]``, proved
    by the sign of ``P(δ) ∓ (M·|δ|⁵/120 + evaluation error)`` at both ends, where ``M = _M5·(1 + 1/t)``
    bounds the 5th derivative of g. None = not proved (callers fall back)."""
    tol = B.tolerance()
    ulp = B.rel_margin() * B.num(Fraction(1, 10**12))
    u1, u2 = a - x0, b + x0
    c1, c2 = B.phi(u1), B.phi(u2) / t
    f1, f2 = B.npdf(u1), B.npdf(u2) / t
    s1, s2 = u1 * u1, u2 * u2
    g1 = -f1 - f2
    if not g1 < 0:
        return None
    coef = (
        c1 - c2,
        g1,
        (-u1 * f1 + u2 * f2) / 2,
        ((1 - s1) * f1 - (s2 - 1) * f2) / 6,
        ((3 - s1) * u1 * f1 - (3 - s2) * u2 * f2) / 24,
    )

    def poly(d: Real) -> Real:
        return coef[0] + d * (coef[1] + d * (coef[2] + d * (coef[3] + d * coef[4])))

    def dpoly(d: Real) -> Real:
        return coef[1] + d * (2 * coef[2] + d * (3 * coef[3] + d * 4 * coef[4]))

    d = -coef[0] / g1
    for _ in range(6):
        dp = dpoly(d)
        if not dp < 0:
            return None
        step = poly(d) / dp
        d -= step
        if abs(step) <= tol / 10**6:
            break
    else:
        return None
    x = x0 + d
    lo, hi = x - tol / 2, x + tol / 2
    if not lo > 0:
        return None
    umax = 1 + abs(u1) + abs(u2)
    scale = c1 + c2 + (f1 + f2) * (abs(a) + abs(b) + 2 * abs(x0) + 1) * umax**4
    m5 = B.num(_M5) * (1 + B.one / t)

    def slack(y: Real) -> Real:
        dl = abs(y - x0)
        return m5 * dl**5 / 120 + 64 * ulp * scale

    if abs(lo - x0) > B.half or abs(hi - x0) > B.half:
        return None
    return lo if poly(lo - x0) - slack(lo) > 0 and poly(hi - x0) + slack(hi) <= 0 else None


def _root_t_halley(B: Backend, a: Real, b: Real, t: int, x: Real) -> Real | None:
    """Halley iteration for :func:`_g` from ``x``; returns the lower end ``lo > 0`` of a bracket
    ``[lo, lo + tol]`` proved to contain the root by :func:`_certify_mvt`, or None (not proved)."""
    tol = B.tolerance()
    ulp = B.rel_margin() * B.num(Fraction(1, 10**12))
    for _ in range(4):
        u1, u2 = a - x, b + x
        c1, c2 = B.phi(u1), B.phi(u2) / t
        g = c1 - c2
        d1, d2 = B.npdf(u1), B.npdf(u2) / t
        big_g = d1 + d2  # -g'(x) > 0
        g2 = u2 * d2 - u1 * d1  # g''(x)
        newton = g / big_g  # x_new = x - g/g'
        denom = 1 - g * g2 / (2 * big_g * big_g)
        step = newton / denom if B.half <= denom <= 2 else newton
        x_new = x + step
        lo, hi = x_new - tol / 2, x_new + tol / 2
        if not lo > 0:
            return None
        g_err = (c1 + c2 + big_g * (abs(a) + abs(b) + 2 * abs(x) + 1)) * ulp
        if _certify_mvt(B, x, g, big_g, max(abs(u1), abs(u2)), g_err, lo, hi, ulp):
            return lo
        x = x_new
    return None


def _certify_mvt(
    B: Backend, x: Real, g: Real, big_g: Real, umax: Real, g_err: Real, lo: Real, hi: Real, rel_err: Real
) -> bool:
    """True if ``g(lo) > 0 >= g(hi)`` is proved from ``g(x)`` and ``G = -g'(x)`` (mean-value theorem).

    ``g(y) = g(x) - (y - x)·G(ξ)``; with ``|ξ - x| <= d`` each density term ``φ(u ± ...)`` changes by a factor
    ``exp(±(|u|·d + d²/2))``, so ``G(ξ) ∈ [G(1-L), G(1+2L)]`` for ``L = umax·d + d²/2 (+ rel_err) <= 1``.
    ``g_err`` bounds the absolute evaluation error of ``g(x)``.
    """
    d = max(abs(lo - x), abs(hi - x))
    big_l = umax * d + d * d / 2 + 2 * rel_err
    if not big_l <= B.half:
        return False
    dl = lo - x
    low_lo = g - g_err - dl * big_g * ((1 - big_l) if dl <= 0 else (1 + 2 * big_l))
    dh = hi - x
    up_hi = g + g_err - dh * big_g * ((1 - big_l) if dh >= 0 else (1 + 2 * big_l))
    return bool(low_lo > 0 and up_hi <= 0)
