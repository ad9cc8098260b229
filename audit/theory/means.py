"""Confidence bounds on the mean of [0, 1]-valued scores: Hoeffding and empirical Bernstein.

Guarantees (i.i.d. samples in [0, 1], true mean μ):

* Hoeffding: ``P(μ < X̄ - sqrt(ln(1/α) / (2n))) <= α`` (and the mirrored upper bound).
* Empirical Bernstein, Maurer & Pontil 2009 Thm 4 (n >= 2, ``V`` the unbiased sample variance):
  ``P(μ < X̄ - sqrt(2 V ln(2/α) / n) - 7 ln(2/α) / (3(n-1))) <= α``. Note ``ln(2/α)``: Moutaouakil's
  ``ln(1/δ)`` is a misquote and too optimistic.

Every function takes exact inputs (int, Fraction, decimal string) and a backend; the returned value is rounded
to the conservative side (lower bounds down, upper bounds up) and clipped to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from audit.errors import UsageError
from audit.theory.precision import (
    FLOAT,
    Backend,
    Bound,
    Exact,
    Real,
    check_alpha,
    check_n,
    check_unit,
    to_fraction,
)

__all__ = [
    "MeanBound",
    "bernstein_lower",
    "bernstein_radius",
    "bernstein_upper",
    "hoeffding_lower",
    "hoeffding_radius",
    "hoeffding_upper",
    "mean_bound_from_sums",
    "score_moments",
]

Side = Literal["lower", "upper"]

_COND = 16.0
"""Condition factor passed to ``down``/``up`` for the few-operation closed forms below (generous)."""


@dataclass(frozen=True)
class MeanBound(Bound):
    """A :class:`Bound` on a mean (value conservative, side, method, alpha) plus ``n`` and the arithmetic."""

    n: int
    precision: str

    def __float__(self) -> float:
        return float(self.value)


def score_moments(n: int, total: Exact, total_sq: Exact) -> tuple[Fraction, Fraction]:
    """Exact ``(mean, unbiased variance)`` of ``n`` scores in [0, 1] from their sum and sum of squares.

    Raises :class:`UsageError` when the statistics cannot come from scores in [0, 1] (mean outside [0, 1],
    ``sumsq`` below ``sum²/n`` or above ``sum``). The variance needs ``n >= 2``.
    """
    check_n(n, 2)
    s = to_fraction(total)
    ss = to_fraction(total_sq)
    if not 0 <= s <= n:
        raise UsageError(f"score sum {total!r} is not in [0, n] for n={n}")
    if ss < s * s / n or ss > s:
        raise UsageError(
            f"score sum of squares {total_sq!r} is inconsistent with sum {total!r} for [0, 1] scores"
        )
    mean = s / n
    var = (ss - s * s / n) / (n - 1)
    return mean, var


def _finish(value: Real, side: Side, backend: Backend) -> Real:
    """Round ``value`` to the conservative side and clip to [0, 1]."""
    if side == "lower":
        v = backend.down(value, _COND)
        return v if v > 0 else backend.zero
    v = backend.up(value, _COND)
    return v if v < 1 else backend.one


def _log_inv(alpha: Fraction, scale: int, backend: Backend) -> Real:
    """An upper value of ``ln(scale/α)`` (>= the exact value)."""
    return backend.up(backend.log(backend.num(Fraction(scale) / alpha, "up")), _COND)


def hoeffding_radius(n: int, alpha: Exact, backend: Backend = FLOAT) -> Real:
    """``sqrt(ln(1/α) / (2n))`` rounded up."""
    a = check_alpha(alpha)
    check_n(n)
    t = _log_inv(a, 1, backend) / backend.num(2 * n)
    return backend.up(backend.sqrt(t), _COND)


def hoeffding_lower(mean: Exact, n: int, alpha: Exact, backend: Backend = FLOAT) -> MeanBound:
    """Hoeffding lower bound ``X̄ - sqrt(ln(1/α)/(2n))`` on the mean of [0,1] scores, rounded down, >= 0."""
    m = check_unit(mean, "mean")
    a = check_alpha(alpha)
    r = hoeffding_radius(n, a, backend)
    v = _finish(backend.num(m, "down") - r, "lower", backend)
    return MeanBound(v, "lower", "hoeffding", a, n, backend.label)


def hoeffding_upper(mean: Exact, n: int, alpha: Exact, backend: Backend = FLOAT) -> MeanBound:
    """Hoeffding upper bound ``X̄ + sqrt(ln(1/α)/(2n))``, rounded up, <= 1."""
    m = check_unit(mean, "mean")
    a = check_alpha(alpha)
    r = hoeffding_radius(n, a, backend)
    v = _finish(backend.num(m, "up") + r, "upper", backend)
    return MeanBound(v, "upper", "hoeffding", a, n, backend.label)


def bernstein_radius(var: Exact, n: int, alpha: Exact, backend: Backend = FLOAT) -> Real:
    """``sqrt(2 V ln(2/α)/n) + 7 ln(2/α)/(3(n-1))`` (Maurer & Pontil 2009 Thm 4), rounded up."""
    a = check_alpha(alpha)
    check_n(n, 2)
    v = to_fraction(var)
    if v < 0:
        raise UsageError(f"variance must be >= 0, got {var!r}")
    lg = _log_inv(a, 2, backend)
    first = backend.up(backend.sqrt(backend.num(2 * v / n, "up") * lg), _COND)
    second = backend.up(7 * lg / backend.num(3 * (n - 1), "down"), _COND)
    return backend.up(first + second, _COND)


def bernstein_lower(mean: Exact, var: Exact, n: int, alpha: Exact, backend: Backend = FLOAT) -> MeanBound:
    """Empirical Bernstein lower bound (Maurer & Pontil Thm 4, ln(2/α)) on the mean, rounded down, >= 0.

    ``var`` is the unbiased sample variance (see :func:`score_moments`); requires ``n >= 2``.
    """
    m = check_unit(mean, "mean")
    a = check_alpha(alpha)
    r = bernstein_radius(var, n, a, backend)
    v = _finish(backend.num(m, "down") - r, "lower", backend)
    return MeanBound(v, "lower", "bernstein", a, n, backend.label)


def bernstein_upper(mean: Exact, var: Exact, n: int, alpha: Exact, backend: Backend = FLOAT) -> MeanBound:
    """Empirical Bernstein upper bound on the mean, rounded up, <= 1."""
    m = check_unit(mean, "mean")
    a = check_alpha(alpha)
    r = bernstein_radius(var, n, a, backend)
    v = _finish(backend.num(m, "up") + r, "upper", backend)
    return MeanBound(v, "upper", "bernstein", a, n, backend.label)


def mean_bound_from_sums(
    method: Literal["hoeffding", "bernstein"],
    side: Side,
    n: int,
    total: Exact,
    total_sq: Exact,
    alpha: Exact,
    backend: Backend = FLOAT,
) -> MeanBound:
    """Hoeffding or Bernstein bound straight from score statistics ``(n, sum, sumsq)`` (exact moments)."""
    mean, var = score_moments(n, total, total_sq)
    if method == "hoeffding":
        f = hoeffding_lower if side == "lower" else hoeffding_upper
        return f(mean, n, alpha, backend)
    if method == "bernstein":
        g = bernstein_lower if side == "lower" else bernstein_upper
        return g(mean, var, n, alpha, backend)
    raise UsageError(f"unknown mean-bound method {method!r}")
