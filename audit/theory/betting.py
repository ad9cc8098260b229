"""Betting confidence bounds on the mean of [0, 1] scores (Waudby-Smith & Ramdas 2024, hedged capital).

For a candidate mean ``m`` the capital after ``t`` samples is ``K_t(m) = Π_{i<=t} (1 + λ_i(m) (x_i - m))``
with ``λ_i(m) = min(λ̃_i, c/m)`` and ``λ̃_i`` *predictable* (a function of ``x_1..x_{i-1}`` only; WSR's fixed-n
plug-in ``sqrt(2 ln(1/α) / (n σ̂²_{i-1}))``). Under ``μ = m`` the capital is a nonnegative martingale, so by
Ville's inequality ``P(max_t K_t(μ) >= 1/α) <= α``. Each factor is positive and nonincreasing in ``m``, so
``M(m) = max_t K_t(m)`` is nonincreasing and the lower bound is ``L = inf{m : M(m) < 1/α}``.

Guarantee: ``P(μ < L) <= α`` for i.i.d. scores in [0, 1] given **in sampling order** (a data-dependent order,
e.g. sorted scores, voids it). The returned value ``r`` is certified: ``M(r) >= 1/α`` is checked in the
backend's arithmetic with an explicit rounding-error allowance, so ``r <= L``. The search runs in float64
(vectorised), the certificate check in the backend (``mp_backend(50)``: one pass of ``n`` multiplications).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from audit.errors import NumericError, UsageError
from audit.theory.means import MeanBound
from audit.theory.precision import FLOAT, Backend, Exact, Real, check_alpha, to_fraction

__all__ = ["betting_lower", "betting_upper", "predictable_lambdas"]

DEFAULT_C = Fraction(1, 2)
"""Clip constant: ``λ_i <= c/m`` (WSR use 1/2 or 3/4); keeps every factor >= 1 - c > 0."""

_SEARCH_TOL = 1e-12


def predictable_lambdas(x: np.ndarray, alpha: float) -> np.ndarray:
    """WSR fixed-n predictable plug-in bets ``λ̃_i = sqrt(2 ln(1/α) / (n σ̂²_{i-1}))`` (float64, deterministic).

    ``σ̂²_t = (1/4 + Σ_{j<=t} (x_j - μ̂_j)²) / (t + 1)``, ``μ̂_t = (1/2 + Σ_{j<=t} x_j) / (t + 1)``; λ̃_i uses
    only ``x_1..x_{i-1}``.
    """
    n = x.shape[0]
    t = np.arange(1, n + 1, dtype=np.float64)
    mu_hat = (0.5 + np.cumsum(x)) / (t + 1.0)
    sig2 = (0.25 + np.cumsum((x - mu_hat) ** 2)) / (t + 1.0)
    prev = np.concatenate(([0.25], sig2[:-1]))
    return np.sqrt(2.0 * math.log(1.0 / alpha) / (n * prev))


def _log_max_capital(x: np.ndarray, lam_t: np.ndarray, m: float, c: float) -> float:
    """``max_t log K_t(m)`` (t = 0 included, so the value is >= 0) in float64."""
    lam = np.minimum(lam_t, c / m) if m > 0 else lam_t
    csum = np.cumsum(np.log1p(lam * (x - m)))
    return max(0.0, float(csum.max())) if csum.size else 0.0


def _certify(
    xs_exact: Sequence[Fraction],
    lam_t: np.ndarray,
    m: Fraction,
    c: Fraction,
    alpha: Fraction,
    backend: Backend,
) -> bool:
    """True iff ``max_t K_t(m) >= 1/α`` is proved in ``backend`` arithmetic (error allowance included)."""
    n = len(xs_exact)
    bm = backend.num(m)
    cap = backend.num(c / m, "down") if m > 0 else None
    prod = backend.one
    best = backend.one
    for xi, li in zip(xs_exact, lam_t, strict=True):
        lam = backend.num(float(li))
        if cap is not None and cap < lam:
            lam = cap
        prod = prod * (1 + lam * (backend.num(xi, "down") - bm))
        if prod > best:
            best = prod
    # each step has relative error <= a few units of the working precision: allow 8(n+2) of them
    lower = backend.down(best, 8.0 * (n + 2))
    return bool(lower >= backend.num(1 / alpha, "up"))


def _lower(xs: list[Fraction], alpha: Fraction, c: Fraction, backend: Backend) -> Real:
    xf = np.array([float(v) for v in xs], dtype=np.float64)
    af = float(alpha)
    lam_t = predictable_lambdas(xf, af)
    cf = float(c)
    target = math.log(1.0 / af)
    if _log_max_capital(xf, lam_t, 0.0, cf) < target:
        return backend.zero
    lo, hi = 0.0, 1.0  # M(lo) >= 1/α (float), M(hi) < 1/α (K_t(1) <= 1)
    while hi - lo > _SEARCH_TOL:
        mid = 0.5 * (lo + hi)
        if _log_max_capital(xf, lam_t, mid, cf) >= target:
            lo = mid
        else:
            hi = mid
    step = _SEARCH_TOL
    cand = lo
    for _ in range(80):
        if cand <= 0:
            return backend.zero
        m = Fraction(cand)
        if _certify(xs, lam_t, m, c, alpha, backend):
            return backend.num(m, "down")
        cand -= step
        step *= 2
    raise NumericError("betting bound: could not certify the capital threshold")


def _as_unit_fractions(samples: Sequence[Exact] | np.ndarray) -> list[Fraction]:
    if isinstance(samples, np.ndarray):
        samples = samples.tolist()
    xs = [to_fraction(v) for v in samples]
    if not xs:
        raise UsageError("betting bound needs at least one sample")
    for i, v in enumerate(xs):
        if not 0 <= v <= 1:
            raise UsageError(f"score {i} is {float(v)!r}, outside [0, 1]")
    return xs


def betting_lower(
    samples: Sequence[Exact] | np.ndarray, alpha: Exact, backend: Backend = FLOAT, *, c: Exact = DEFAULT_C
) -> MeanBound:
    """Betting lower bound on the mean of [0, 1] scores (in sampling order).

    Certified: the value ``r`` satisfies ``max_t K_t(r) >= 1/α``, hence ``r <= inf{m : M(m) < 1/α}``.
    """
    a = check_alpha(alpha)
    cc = to_fraction(c)
    if not 0 < cc < 1:
        raise UsageError(f"clip constant c must lie in (0, 1), got {c!r}")
    xs = _as_unit_fractions(samples)
    v = _lower(xs, a, cc, backend)
    return MeanBound(v, "lower", "betting", a, len(xs), backend.label)


def betting_upper(
    samples: Sequence[Exact] | np.ndarray, alpha: Exact, backend: Backend = FLOAT, *, c: Exact = DEFAULT_C
) -> MeanBound:
    """Betting upper bound: ``1 - betting_lower(1 - x)``, rounded up (exact reflection of the samples)."""
    a = check_alpha(alpha)
    cc = to_fraction(c)
    if not 0 < cc < 1:
        raise UsageError(f"clip constant c must lie in (0, 1), got {c!r}")
    xs = _as_unit_fractions(samples)
    low = _lower([1 - v for v in xs], a, cc, backend)
    v = backend.num(1 - backend.to_fraction(low), "up")
    return MeanBound(v, "upper", "betting", a, len(xs), backend.label)
