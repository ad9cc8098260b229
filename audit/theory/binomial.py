"""Binomial confidence bounds: one-sided Clopper–Pearson, SimuEM and BinoCP (THEORY.md §2).

``cp_lower(k, n, alpha)`` is the root p of ``P_p(X >= k) = alpha`` (0 for k = 0, ``alpha**(1/n)`` for k = n);
``cp_upper(k, n, alpha)`` the root of ``P_p(X <= k) = alpha`` (1 for k = n). Both return a :class:`Bound`
whose value is on the conservative side of the exact root:

* FLOAT: scipy's ``betaincinv`` / ``betainccinv``, nudged outward by ``CP_FLOAT_ULPS`` ulps.
* mp backends: Newton iterations on ``log P_p(tail)`` from the float start, where the tail is summed in
  exact fixed-point integer arithmetic from the boundary count *away* from the mode (mpmath's ``betainc``
  does not converge for some parameters at n = 1e5). The result is certified by a sign check of the tail
  on both ends of a bracket of relative width ``10**-(dps-5)`` and returned as the conservative end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from mpmath import libmp
from scipy import special as _sp

from audit.errors import NumericError, UsageError
from audit.theory.precision import FLOAT, Backend, Bound, Exact, MpBackend, Real, to_fraction

CP_FLOAT_ULPS = 64.0
"""Outward nudge (relative, in ulps) of scipy's float CP bounds (checked against mp in tests/theory)."""

_FIX_GUARD_BITS = 40


def _check_kn(k: int, n: int) -> None:
    if isinstance(k, bool) or isinstance(n, bool) or not isinstance(k, int) or not isinstance(n, int):
        raise UsageError(f"counts must be integers, got k={k!r}, n={n!r}")
    if n < 1:
        raise UsageError(f"n must be >= 1, got {n}")
    if not 0 <= k <= n:
        raise UsageError(f"count k={k} outside [0, n={n}]")


def check_alpha(alpha: Exact) -> Fraction:
    """``alpha`` as an exact Fraction in (0, 1), else :class:`UsageError`."""
    a = to_fraction(alpha)
    if not 0 < a < 1:
        raise UsageError(f"alpha must be in (0, 1), got {alpha}")
    return a


# ----------------------------------------------------------------------------------------------------
# robust binomial tails (mp)
# ----------------------------------------------------------------------------------------------------


def _ratio_sum(num0: int, den0: int, ratio_fix: int, prec: int) -> int:
    """Fixed-point (scale 2**prec) value of ``sum_{m>=0} prod_{i<m} (num0-i)/(den0+i) * r``.

    ``ratio_fix = floor(r * 2**prec)``. Summation stops when a term falls below ``2**-prec`` of the total
    (terms are log-concave, so the remainder is negligible at that point) or when the series terminates.
    """
    one = 1 << prec
    term = one
    total = one
    i = 0
    while num0 - i > 0:
        term = (term * ratio_fix >> prec) * (num0 - i) // (den0 + i)
        if term == 0:
            break
        total += term
        if term <= (total >> prec) and i > 0:
            break
        i += 1
    return total


class _Tail:
    """``log P_p(X >= k)`` and its p-derivative for fixed (k, n), 1 <= k <= n, in an mp backend."""

    def __init__(self, backend: MpBackend, k: int, n: int) -> None:
        ctx = backend.ctx
        self.B = backend
        self.ctx = ctx
        self.k = k
        self.n = n
        self.prec = ctx.prec + _FIX_GUARD_BITS
        lg = ctx.loggamma
        self.log_comb_k = lg(n + 1) - lg(k + 1) - lg(n - k + 1)
        self.log_comb_km1 = lg(n + 1) - lg(k) - lg(n - k + 2)

    def eval(self, p: Real, bits: int | None = None) -> tuple[Real, Real]:
        """(log T(p), d log T / dp) with ``T(p) = P_p(X >= k)``, for 0 < p < 1.

        The tail series is summed in fixed point with ``bits`` fractional bits (default: working precision
        plus guard bits); fewer bits give a cheaper, less accurate value for early Newton steps.
        """
        ctx = self.ctx
        prec = self.prec if bits is None else bits
        k, n = self.k, self.n
        q = 1 - p
        lp = ctx.log(p)
        lq = ctx.log1p(-p)
        log_pmf_k = self.log_comb_k + k * lp + (n - k) * lq
        if k > n * p:
            ratio = libmp.to_fixed((p / q)._mpf_, prec)
            s = ctx.ldexp(ctx.mpf(_ratio_sum(n - k, k + 1, ratio, prec)), -prec)
            log_t = log_pmf_k + ctx.log(s)
            return log_t, (k / p) / s
        # k at or below the mean: T = 1 - P(X <= k-1), the lower sum runs away from the mode
        log_pmf_km1 = self.log_comb_km1 + (k - 1) * lp + (n - k + 1) * lq
        ratio = libmp.to_fixed((q / p)._mpf_, prec)
        s = ctx.ldexp(ctx.mpf(_ratio_sum(k - 1, n - k + 2, ratio, prec)), -prec)
        lower = ctx.exp(log_pmf_km1) * s
        t = 1 - lower
        if t <= 0:
            raise NumericError("binomial tail underflow")
        return ctx.log(t), (k / p) * ctx.exp(log_pmf_k) / t


def _cp_lower_root_mp(B: MpBackend, k: int, n: int, alpha: Fraction) -> Real:
    """Certified lower end of a bracket around the p with ``P_p(X >= k) = alpha`` (1 <= k < n)."""
    ctx = B.ctx
    tail = _Tail(B, k, n)
    log_a = ctx.log(B.num(alpha))

    def f(p: Real) -> Real:  # decreasing in p
        if p <= 0:
            return ctx.inf
        if p >= 1:
            return log_a
        return log_a - tail.eval(p)[0]

    def fprime(p: Real) -> Real:
        return -tail.eval(p)[1]

    p0 = float(_sp.betaincinv(k, n - k + 1, float(alpha)))
    rel = B.rel_margin()
    if 0.0 < p0 < 1.0:
        # float start (~1e-16) -> cheap Newton step (~1e-30) -> full Newton step(s) -> certified bracket
        p = B.num(p0)
        for bits in (128, None, None, None):
            val, der = tail.eval(p, bits)
            p = p + (log_a - val) / der
            if not 0 < p < 1:
                break
            if bits is None:
                w = rel * min(p, 1 - p) / 2
                lo, hi = p - w, p + w
                if f(lo) > 0 and f(hi) <= 0:
                    return lo
    # fallback: safeguarded Newton / bisection on the whole interval
    tol = rel * min(B.num(k), B.num(n - k)) / n / 2
    return B.root_decreasing(f, B.zero, B.one, tol, x0=B.num(p0) if 0 < p0 < 1 else None, fprime=fprime)


# ----------------------------------------------------------------------------------------------------
# Clopper–Pearson
# ----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _cp_lower_value(backend: Backend, k: int, n: int, alpha: Fraction) -> Real:
    B = backend
    if k == 0:
        return B.zero
    if k == n:
        return B.down(B.exp(B.log(B.num(alpha, "f")) / n), cond=4)
    if B.is_float:
        p = float(_sp.betaincinv(k, n - k + 1, float(alpha)))
        if not 0.0 <= p <= 1.0:
            raise NumericError(f"float Clopper–Pearson failed for k={k}, n={n}; use an mp backend")
        return max(0.0, B.down(p, cond=CP_FLOAT_ULPS / FLOAT.ULPS))
    assert isinstance(B, MpBackend)
    return B.down(_cp_lower_root_mp(B, k, n, alpha))


@lru_cache(maxsize=65536)
def _cp_upper_value(backend: Backend, k: int, n: int, alpha: Fraction) -> Real:
    B = backend
    if k == n:
        return B.one
    if k == 0:
        return B.up(-B.expm1(B.log(B.num(alpha, "f")) / n), cond=4)
    if B.is_float:
        p = float(_sp.betainccinv(k + 1, n - k, float(alpha)))
        if not 0.0 <= p <= 1.0:
            raise NumericError(f"float Clopper–Pearson failed for k={k}, n={n}; use an mp backend")
        return min(1.0, B.up(p, cond=CP_FLOAT_ULPS / FLOAT.ULPS))
    assert isinstance(B, MpBackend)
    # P_p(X <= k) = alpha  <=>  P_{1-p}(Y >= n-k) = alpha
    return B.up(1 - _cp_lower_root_mp(B, n - k, n, alpha))


def cp_lower(k: int, n: int, alpha: Exact, backend: Backend = FLOAT) -> Bound:
    """One-sided Clopper–Pearson lower bound: ``BetaQuantile(alpha; k, n-k+1)``, rounded down."""
    _check_kn(k, n)
    a = check_alpha(alpha)
    return Bound(_cp_lower_value(backend, k, n, a), "lower", "cp", a)


def cp_upper(k: int, n: int, alpha: Exact, backend: Backend = FLOAT) -> Bound:
    """One-sided Clopper–Pearson upper bound: ``BetaQuantile(1-alpha; k+1, n-k)``, rounded up."""
    _check_kn(k, n)
    a = check_alpha(alpha)
    return Bound(_cp_upper_value(backend, k, n, a), "upper", "cp", a)


# ----------------------------------------------------------------------------------------------------
# joint bounds over labels
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelBounds:
    """Bounds for one certified label: ``lower`` on p_label and ``uppers[i]`` on every other p_i.

    ``method`` is "simuem" or "binocp"; ``alpha`` is the total failure probability of the joint statement.
    """

    label: int
    lower: Bound
    uppers: dict[int, Bound]
    method: str
    alpha: Fraction

    def upper_values(self) -> list[Real]:
        """Upper-bound values of the other labels, in label order."""
        return [self.uppers[i].value for i in sorted(self.uppers)]


def _check_counts(counts: Sequence[int], label: int) -> int:
    if len(counts) < 2:
        raise UsageError("need counts for at least two labels")
    for i, c in enumerate(counts):
        if isinstance(c, bool) or not isinstance(c, int) or c < 0:
            raise UsageError(f"count {i} must be a non-negative integer, got {c!r}")
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < len(counts):
        raise UsageError(f"label {label!r} outside [0, {len(counts)})")
    n = sum(counts)
    if n < 1:
        raise UsageError("counts sum to zero")
    return n


def simuem_bounds(counts: Sequence[int], label: int, alpha: Exact, backend: Backend = FLOAT) -> LabelBounds:
    """SimuEM: Bonferroni over all c labels, each one-sided CP at ``alpha / c`` (joint level ``alpha``)."""
    n = _check_counts(counts, label)
    a = check_alpha(alpha)
    each = a / len(counts)
    lower = cp_lower(counts[label], n, each, backend)
    uppers = {i: cp_upper(c, n, each, backend) for i, c in enumerate(counts) if i != label}
    return LabelBounds(label, lower, uppers, "simuem", a)


def binocp_bounds(counts: Sequence[int], label: int, alpha: Exact, backend: Backend = FLOAT) -> LabelBounds:
    """BinoCP: CP lower bound for ``label`` at ``alpha``; every other label bounded by ``1 - pl_low``."""
    n = _check_counts(counts, label)
    a = check_alpha(alpha)
    lower = cp_lower(counts[label], n, a, backend)
    rest = backend.up(1 - lower.value) if backend.is_float else 1 - lower.value
    if backend.is_float:
        rest = min(1.0, rest)
    uppers = {i: Bound(rest, "upper", "binocp", a) for i in range(len(counts)) if i != label}
    return LabelBounds(label, lower, uppers, "binocp", a)
