"""Binomial confidence bounds: one-sided Clopper–Pearson, SimuEM and BinoCP (docs/theory.md §2).

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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from mpmath import libmp
from scipy import special as _sp

from audit.errors import NumericError, UsageError
from audit.theory.precision import FLOAT, Backend, Bound, Exact, MpBackend, Real, check_alpha

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
    for m in range(num0):
        term = (term * ratio_fix >> prec) * (num0 - m) // (den0 + m)
        total += term
        if term <= (total >> prec):
            break
    return total


def _ratio_sum_err(
    num0: int, den0: int, ratio_fix: int, e: int, b: int, target: int
) -> tuple[int, float, int]:
    """``(S, err, M)``: S = fixed-point (scale ``2**b``) value of ``sum_m prod_{i<m} r·(num0-i)/(den0+i)``
    with ``r = ratio_fix / 2**e``, ``err`` an upper bound on ``|S - exact|`` (units of ``2**-b``), M terms.

    Requires the first ratio ``r·num0/den0 < 1``: the sum runs away from the mode, so the ratios
    ``ρ_m = r·(num0-m)/(den0+m)`` decrease. Summation stops once a term is below ``2**-target`` (of the
    first term, hence of the total). ``err`` covers the floors (a step loses at most ``κ = 1 + num0/den0``
    units and multiplies the earlier loss by ``ρ < 1``, so term m is low by at most ``κ·m``) and the
    geometric bound ``(t_M + κM)·ρ_M/(1-ρ_M)`` on the remainder.
    """
    one = 1 << b
    term = one
    total = one
    thresh = one >> target  # a term below 2**-target of the first (hence of the total) ends the sum
    m = 0
    stopped = False
    for a, d in zip(range(num0, 0, -1), range(den0, den0 + num0), strict=True):
        term = (term * ratio_fix >> e) * a // d
        total += term
        if term <= thresh:
            stopped = True
            m = num0 - a + 1
            break
    else:
        m = num0
    kappa = 1.0 + num0 / den0
    err = kappa * m * (m + 1) / 2 + 1.0
    if stopped and m < num0:
        rho = int(ratio_fix) / (1 << e) * (num0 - m) / (den0 + m) * (1 + 1e-9)
        if not rho < 1.0:
            return total, math.inf, m
        err += (float(term) + kappa * m + 1.0) * rho / (1.0 - rho)
    return total, err * (1 + 1e-9), m


def _fixed(x: Real, b: int) -> tuple[int, int]:
    """``(X, e)`` with ``X = floor(x·2**e)`` carrying at least ``b - 1`` significant bits (x > 0)."""
    _sign, _man, exp, bc = x._mpf_
    e = b - min(0, exp + bc)
    return libmp.to_fixed(x._mpf_, e), e  # an mpz under gmpy2: faster products in the tail loop


_H = tuple[Real, Real, float]
"""``(H'(0), H''(0), C3)`` of :meth:`_Tail.h`."""


class _Tail:
    """``P_p(X >= k)`` for fixed (k, n), 1 <= k <= n, in an mp backend: value, p-derivative, error bound.

    ``T(p) = P_p(X >= k) = I_p(k, n-k+1)``; its derivative is the Beta(k, n-k+1) density
    ``T'(p) = k·C(n, k)·p**(k-1)·(1-p)**(n-k)`` (closed form), used for the root iteration and for the
    second-order mean-value certification in :meth:`certify`.
    """

    def __init__(self, backend: MpBackend, k: int, n: int) -> None:
        ctx = backend.ctx
        self.B = backend
        self.ctx = ctx
        self.k = k
        self.n = n
        self.prec = ctx.prec + _FIX_GUARD_BITS
        # the certified path needs T to ~10**-(dps+3) relative (its bracket is 10**-(dps-5) wide)
        self.target = int((backend.dps + 3) * 3.33) + 2
        lg = ctx.loggamma
        g_n, g_k, g_nk = lg(n + 1), lg(k + 1), lg(n - k + 1)
        self.log_comb_k = g_n - g_k - g_nk
        # C(n, k-1) = C(n, k)·k/(n-k+1)
        self.log_comb_km1 = self.log_comb_k + ctx.log(k) - ctx.log(n - k + 1)
        self._mag = float(abs(g_n) + abs(g_k) + abs(g_nk)) + 16.0
        self._ulp = ctx.ldexp(ctx.one, 8 - ctx.prec)
        self._fulp = 2.0 ** (8 - ctx.prec)

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

    def eval_err(self, p: Real) -> tuple[Real, Real, float]:
        """``(T(p), T'(p), err)``, ``err`` a bound on the relative error of both values.

        The tail is summed from the boundary count *away* from the mode to ``2**-target`` of the total
        (:func:`_ratio_sum_err` bounds floors and remainder); ``err`` adds the working-precision error of the
        log-pmf (``magnitude·2**(8-prec)``) and of the ratio ``p/(1-p)`` (``terms·2**(8-prec)``).
        """
        ctx = self.ctx
        k, n = self.k, self.n
        b = self.target + _FIX_GUARD_BITS
        q = 1 - p
        lp = ctx.log(p)
        lq = ctx.log1p(-p)
        log_pmf_k = self.log_comb_k + k * lp + (n - k) * lq
        fu = self._fulp
        e_log = fu * (self._mag + k * abs(float(lp)) + (n - k) * abs(float(lq)))
        d1 = (k / p) * ctx.exp(log_pmf_k)
        e_d = 2 * e_log + 4 * fu
        upper_branch = k > n * p
        if upper_branch:
            r, e = _fixed(p / q, b)
            total, err_units, m = _ratio_sum_err(n - k, k + 1, r, e, b, self.target)
        else:
            r, e = _fixed(q / p, b)
            total, err_units, m = _ratio_sum_err(k - 1, n - k + 2, r, e, b, self.target)
        # relative error of the sum: floors/remainder, plus 2·M·(relative error of r <= 3·2**-prec)
        e_s = err_units / float(total >> (b - 60)) * 2.0**-60 + m * fu
        s = ctx.ldexp(ctx.mpf(total), -b)
        if upper_branch:
            return ctx.exp(log_pmf_k) * s, d1, 2 * (e_log + e_s) + 8 * fu
        lower = ctx.exp(self.log_comb_km1 + (k - 1) * lp + (n - k + 1) * lq) * s
        t1 = 1 - lower
        if not t1 > 0:
            raise NumericError("binomial tail underflow")
        e_lower = 2 * (e_log + e_s) + 8 * fu
        return t1, d1, max(e_lower * float(lower / t1) + 4 * fu, e_d)

    def h(self, p: Real) -> _H:
        """``H'(0)``, ``H''(0)`` and the bound ``C3`` on ``|H'''|`` (see :meth:`certify`)."""
        k, n = self.k, self.n
        q = 1 - p
        h1 = (k - 1) / p - (n - k) / q
        h2 = -(k - 1) / (p * p) - (n - k) / (q * q)
        c3 = float((k - 1) / (p * p * p) + (n - k) / (q * q * q)) * 2 * 64 / 27 * (1 + 1e-9)
        return h1, h2, c3

    def _j(self, h1: Real, h2: Real, dl: Real) -> tuple[Real, Real, float]:
        """The model ``expm1(h1·δ)/h1 + h2·δ³/6`` of ``J(δ)`` (see :meth:`certify`), its δ-derivative
        ``exp(h1·δ) + h2·δ²/2`` and a bound on the absolute rounding error of the model value. For
        ``|h1| >= 1`` the linear part is ``(exp(h1·δ) - 1)/h1`` (absolute error ``<= 8·2**-prec/|h1|`` for
        ``|h1·δ| <= 1/2``), else a Taylor series of ``expm1(x)/x`` summed to below ``2**-prec``."""
        ctx = self.ctx
        cubic = h2 * dl * dl * dl / 6
        quad = h2 * dl * dl / 2
        round_err = (abs(float(dl)) + abs(float(cubic))) * self._fulp
        x = h1 * dl
        ex = ctx.exp(x)
        if abs(h1) >= 1:
            return (ex - 1) / h1 + cubic, ex + quad, round_err + 8 * self._fulp / abs(float(h1))
        total = term = ctx.one
        i = 1
        while abs(term) > self._ulp * 2.0**-12:  # remainder after a term <= |term|·|x|/(1-|x|) <= |term|
            i += 1
            term = term * x / i
            total += term
        return dl * total + cubic, ex + quad, round_err

    def certify(self, p1: Real, t1: Real, d1: Real, err: float, lo: Real, hi: Real, a: Real, h: _H) -> bool:
        """True if ``T(lo) < a <= T(hi)`` is proved from ``T(p1)``, ``T'(p1)`` (relative error ``err``).

        Taylor with remainder: ``T(x) = T(p1) + T'(p1)·J(x - p1)`` with ``J(δ) = ∫_0^δ exp(H(s)) ds`` and
        ``H(s) = log T'(p1+s) - log T'(p1) = (k-1)·log(1 + s/p1) + (n-k)·log(1 - s/(1-p1))``. On
        ``|s| <= d <= min(p1, 1-p1)/4``: ``H = h1·s + h2·s²/2 + R3``, ``|R3| <= C3·|s|³/6`` with
        ``C3 = (64/27)·2·((k-1)/p1³ + (n-k)/(1-p1)³) >= |H'''|``; with ``Q = H - h1·s``,
        ``|Q| <= q = |h2|d²/2 + C3·d³/6 <= 1/2`` gives ``|exp(Q) - 1 - h2·s²/2| <= C3|s|³/6 + q²``, and
        ``∫_0^δ s²·exp(h1·s) ds = δ³/3·(1 + η)``, ``|η| <= 2|h1|d`` for ``|h1|d <= 1/2``. Hence
        ``J(δ) = expm1(h1·δ)/h1 + h2·δ³/6 + E``, ``|E| <= |h2||δ|³/6·2|h1|d + 2·(C3·δ⁴/24 + q²|δ|)``.
        ``err`` and the rounding of ``a`` and of the model widen both ends; ``h = self.h(p1)``. False = not
        proved.
        """
        d = max(abs(lo - p1), abs(hi - p1))
        if not (d * 4 <= p1 and d * 4 <= 1 - p1):
            return False
        h1, h2, c3 = h
        fd = float(d)
        fh1, fh2 = abs(float(h1)), abs(float(h2))
        if not fh1 * fd <= 0.49:
            return False
        q = fh2 * fd * fd / 2 + c3 * fd**3 / 6
        if not q <= 0.49:
            return False
        e = err + self._fulp
        t_up, t_dn = t1 * (1 + e), t1 * (1 - e)
        d_up, d_dn = d1 * (1 + e), d1 * (1 - e)

        def j_range(x: Real) -> tuple[Real, Real]:
            dl = x - p1
            fdl = abs(float(dl))
            eb = fh2 * fdl**3 / 6 * 2 * fh1 * fd + 2 * (c3 * fdl**4 / 24 + q * q * fdl)
            jm, _, j_err = self._j(h1, h2, dl)
            eb = (eb + j_err) * (1 + 1e-6) + fdl * self._fulp * 16
            return jm - eb, jm + eb

        j_up = j_range(lo)[1]
        up_lo = t_up + (d_up if j_up >= 0 else d_dn) * j_up
        j_dn = j_range(hi)[0]
        low_hi = t_dn + (d_dn if j_dn >= 0 else d_up) * j_dn
        return bool(up_lo < a * (1 - self._ulp) and low_hi >= a * (1 + self._ulp))

    def model_root(self, p1: Real, t1: Real, d1: Real, a: Real, tol: Real, h: _H) -> Real | None:
        """The root of ``T(p1) + T'(p1)·J_model(δ) = a`` by Newton on δ from a second-order start, to within
        about ``tol`` (None if it fails). Not a guarantee: the bracket around it is proved by :meth:`certify`.
        """
        h1, h2, _ = h
        dl = (a - t1) / d1
        dl = dl - h1 * dl * dl / 2
        for _ in range(8):
            j, jp, _ = self._j(h1, h2, dl)
            if not jp > 0:
                return None
            step = (t1 + d1 * j - a) / (d1 * jp)
            dl -= step
            if abs(step) * (1 + abs(h1 * step)) <= tol:  # next Newton error ~ |h1|·step²
                return p1 + dl
        return None


def binomial_tail(k: int, n: int, p: Exact | Real, backend: Backend = FLOAT) -> Real:
    """``P_p(X >= k)`` for ``X ~ Bin(n, p)``, ``0 < p < 1`` (1 for k <= 0, 0 for k > n).

    mp backends: exact fixed-point tail sum away from the mode (relative error ~ ``10**-dps``); FLOAT:
    scipy's regularized incomplete beta. The value is not rounded in either direction.
    """
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (k, n)) or n < 0:
        raise UsageError(f"counts must be integers with n >= 0, got k={k!r}, n={n!r}")
    B = backend
    if k <= 0:
        return B.one
    if k > n:
        return B.zero
    x = B.num(p)
    if not 0 < x < 1:
        raise UsageError(f"p must be in (0, 1), got {p}")
    if B.is_float:
        return float(_sp.betainc(k, n - k + 1, x))
    assert isinstance(B, MpBackend)
    return B.ctx.exp(_tail(B, k, n).eval(x)[0])


@lru_cache(maxsize=4096)
def _tail(backend: MpBackend, k: int, n: int) -> _Tail:
    return _Tail(backend, k, n)


def _float_start(k: int, n: int, alpha: Fraction) -> float | None:
    """scipy's root of ``P_p(X >= k) = alpha``, as a float, or None if scipy fails."""
    p0 = float(_sp.betaincinv(k, n - k + 1, float(alpha)))
    return p0 if 0.0 < p0 < 1.0 else None


def _mp_start(B: MpBackend, k: int, n: int, alpha: Fraction, p0: float) -> Real:
    """The float start as an mp number; above 1/2 it is taken as ``1 - q`` with q computed by scipy directly
    (full relative precision in ``1 - p``: I_p(k, n-k+1) = alpha <=> I_q(n-k+1, k) = 1 - alpha)."""
    if p0 > 0.5:
        q0 = float(_sp.betainccinv(n - k + 1, k, float(alpha)))
        if 0.0 < q0 < 0.5:
            return 1 - B.num(q0)
    return B.num(p0)


def _cp_lower_root_mp(B: MpBackend, k: int, n: int, alpha: Fraction) -> Real:
    """Certified lower end of a bracket around the p with ``P_p(X >= k) = alpha`` (1 <= k < n).

    Fast path: one evaluation of ``T(p1)``, ``T'(p1)`` with an error bound at scipy's float root ``p1``; the
    root ``p`` of the local model (:meth:`_Tail.model_root`) is the centre of the bracket ``[p - w, p + w]``,
    ``w = rel·min(p, 1-p)/2``, and :meth:`_Tail.certify` proves ``T(p - w) < alpha <= T(p + w)``. If that
    fails, ``p`` becomes the next ``p1`` (three tries); then safeguarded Newton/bisection with a sign check
    of the tail at both ends of the bracket.
    """
    tail = _tail(B, k, n)
    a = B.num(alpha)
    rel = B.rel_margin()
    p0 = _float_start(k, n, alpha)
    if p0 is not None:
        p1 = _mp_start(B, k, n, alpha, p0)
        for _ in range(3):
            t1, d1, err = tail.eval_err(p1)
            h = tail.h(p1)
            p = tail.model_root(p1, t1, d1, a, rel * min(p1, 1 - p1) / 10**6, h)
            if p is None or not 0 < p < 1:
                break
            w = rel * min(p, 1 - p) / 2
            lo, hi = p - w, p + w
            if tail.certify(p1, t1, d1, err, lo, hi, a, h):
                return lo
            p1 = p
    return _cp_lower_root_fallback(B, tail, k, n, alpha, p0)


def _cp_lower_root_fallback(
    B: MpBackend, tail: _Tail, k: int, n: int, alpha: Fraction, p0: float | None
) -> Real:
    """Safeguarded Newton/bisection on (0, 1), sign checks of the tail at both ends of the final bracket."""
    ctx = B.ctx
    log_a = ctx.log(B.num(alpha))

    def f(p: Real) -> Real:  # decreasing in p
        if p <= 0:
            return ctx.inf
        if p >= 1:
            return log_a
        return log_a - tail.eval(p)[0]

    def fprime(p: Real) -> Real:
        return -tail.eval(p)[1]

    rel = B.rel_margin()
    if p0 is not None:
        p = _mp_start(B, k, n, alpha, p0)
        for _ in range(6):
            val, der = tail.eval(p)
            p = p + (log_a - val) / der
            if not 0 < p < 1:
                break
            w = rel * min(p, 1 - p) / 2
            lo, hi = p - w, p + w
            if f(lo) > 0 and f(hi) <= 0:
                return lo
    tol = rel * min(B.num(k), B.num(n - k)) / n / 2
    x0 = B.num(p0) if p0 is not None else None
    return B.root_decreasing(f, B.zero, B.one, tol, x0=x0, fprime=fprime)


# ----------------------------------------------------------------------------------------------------
# Clopper–Pearson
# ----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _cp_lower_value(backend: Backend, k: int, n: int, alpha: Fraction) -> Real:
    B = backend
    if k == 0:
        return B.zero
    if k == n:
        return B.down(B.exp(B.log(B.num(alpha, "down")) / n), cond=4)
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
        return B.up(-B.expm1(B.log(B.num(alpha, "down")) / n), cond=4)
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
