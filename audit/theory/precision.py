"""Arithmetic backends: one formula, evaluated in float64 (fast) or in mpmath at a chosen precision (audit).

A :class:`Backend` fixes how numbers are represented and how the special functions are computed. Every formula
in :mod:`audit.theory` is written once against this interface:

* ``FLOAT`` – IEEE float64 with scipy's special functions. ``down``/``up`` move a value by a few ulps (times a
  caller-supplied condition number) so that a float result can be pushed to the conservative side of the
  exact value.
* ``mp_backend(dps)`` – mpmath in a *private* context (``mpmath.MPContext``) working at ``dps + GUARD_DIGITS``
  decimal digits. The global ``mpmath.mp`` context is never touched, so backends are thread and process safe.
  ``down``/``up`` move a value by a relative ``10**-(dps-5)``, far more than the working-precision error.

Guarantees: ``num(x, rnd)`` converts ints, :class:`fractions.Fraction`, :class:`decimal.Decimal`, decimal
strings, document numbers and floats exactly and then rounds once in the requested direction (``"nearest"``,
``"down"`` toward -inf, ``"up"`` toward +inf: the vocabulary of :mod:`audit.format.numbers`). ``phi_inv``
is accurate in both tails (it uses the complement for p > 1/2). ``root_decreasing`` returns the lower end
of a bracket ``[lo, lo + width]``, ``width <= tol``, on which a strictly decreasing function was observed to
change sign.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal

import mpmath
from mpmath import libmp
from scipy import special as _sp

from audit.errors import NumericError, UsageError
from audit.format.numbers import Exact, Rounding, decimal_string, to_fraction

Real = Any
"""A backend number: ``float`` for :data:`FLOAT`, an ``mpf`` of the backend's context for mp backends."""


GUARD_DIGITS = 10
"""Extra decimal digits an mp backend carries beyond its nominal ``dps``."""

DEFAULT_DPS = 50
"""Default verifier precision (decimal digits)."""

_EPS = 2.0**-52


@dataclass(frozen=True)
class Bound:
    """A confidence bound that says what it is: ``value`` (already rounded to the conservative side),
    ``side`` ("lower" | "upper"), the ``method`` that produced it and the ``alpha`` it spends."""

    value: Real
    side: Literal["lower", "upper"]
    method: str
    alpha: Fraction


def check_alpha(alpha: Exact) -> Fraction:
    """``alpha`` as an exact Fraction; raises :class:`UsageError` unless ``0 < alpha < 1``."""
    a = to_fraction(alpha)
    if not 0 < a < 1:
        raise UsageError(f"alpha must be in (0, 1), got {alpha}")
    return a


def check_n(n: int, minimum: int = 1) -> int:
    """``n`` as an int >= ``minimum`` (bools rejected)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise UsageError(f"sample size must be an integer >= {minimum}, got {n!r}")
    return n


def check_unit(x: Exact, what: str) -> Fraction:
    """``x`` as a Fraction in [0, 1]."""
    q = to_fraction(x)
    if not 0 <= q <= 1:
        raise UsageError(f"{what} must lie in [0, 1], got {x!r}")
    return q


class Backend:
    """Arithmetic interface shared by :data:`FLOAT` and :func:`mp_backend` (see the module docstring)."""

    name: str
    dps: int
    is_float: bool

    # --- construction / conversion
    def num(self, x: Exact | Real, rnd: Rounding = "nearest") -> Real:
        raise NotImplementedError

    def to_float(self, x: Real) -> float:
        return float(x)

    def to_fraction(self, x: Real) -> Fraction:
        """Exact rational value of a backend number."""
        raise NotImplementedError

    def to_str(self, x: Real, digits: int | None = None, rnd: Rounding = "nearest") -> str:
        """Decimal string of ``x`` with ``digits`` significant digits (default ``dps``), rounded ``rnd``."""
        if digits is None:
            digits = self.dps
        return decimal_string(self.to_fraction(x), digits, rnd)

    @property
    def label(self) -> str:
        """Human/JSON label of the arithmetic, e.g. ``"float64"`` or ``"mpmath-50"``."""
        return self.name

    # --- special functions
    def phi(self, x: Real) -> Real:
        raise NotImplementedError

    def phi_inv(self, p: Real) -> Real:
        raise NotImplementedError

    def npdf(self, x: Real) -> Real:
        raise NotImplementedError

    def log(self, x: Real) -> Real:
        raise NotImplementedError

    def exp(self, x: Real) -> Real:
        raise NotImplementedError

    def sqrt(self, x: Real) -> Real:
        raise NotImplementedError

    def log1p(self, x: Real) -> Real:
        raise NotImplementedError

    def expm1(self, x: Real) -> Real:
        raise NotImplementedError

    def lgamma(self, x: Real) -> Real:
        raise NotImplementedError

    # --- conservative rounding
    def rel_margin(self) -> Real:
        """Relative amount ``down``/``up`` move a value by (with ``cond=1``)."""
        raise NotImplementedError

    def down(self, x: Real, cond: float = 1.0) -> Real:
        """A value ``<= x`` by more than the arithmetic error of a computation with condition ``cond``."""
        raise NotImplementedError

    def up(self, x: Real, cond: float = 1.0) -> Real:
        """A value ``>= x`` by more than the arithmetic error of a computation with condition ``cond``."""
        raise NotImplementedError

    def tolerance(self) -> Real:
        """Default absolute tolerance for root brackets of O(1) quantities."""
        raise NotImplementedError

    @property
    def zero(self) -> Real:
        return self.num(0)

    @property
    def one(self) -> Real:
        return self.num(1)

    @property
    def half(self) -> Real:
        return self.num(Fraction(1, 2))

    def root_decreasing(
        self,
        f: Callable[[Real], Real],
        lo: Real,
        hi: Real,
        tol: Real | None = None,
        *,
        x0: Real | None = None,
        fprime: Callable[[Real], Real] | None = None,
        max_iter: int = 400,
    ) -> Real:
        """Lower end of a bracket of width ``<= tol`` around the root of a strictly decreasing ``f``.

        Requires ``f(lo) > 0 >= f(hi)``. Uses safeguarded Newton steps (when ``fprime`` is given) from ``x0``
        and bisection otherwise; the result ``r`` satisfies ``f(r) > 0`` (so ``r`` is below the root) and
        ``f(r + tol) <= 0`` was observed, unless the bracket was already narrower.
        """
        if tol is None:
            tol = self.tolerance()
        if not f(lo) > 0:
            raise NumericError("root bracket: f(lo) must be > 0")
        if not f(hi) <= 0:
            raise NumericError("root bracket: f(hi) must be <= 0")
        x = x0 if x0 is not None and lo < x0 < hi else lo + (hi - lo) / 2
        for _ in range(max_iter):
            if hi - lo <= tol:
                return lo
            fx = f(x)
            if fx > 0:
                lo = x
            else:
                hi = x
            if hi - lo <= tol:
                return lo
            cand = None
            converged = False
            if fprime is not None:
                d = fprime(x)
                if d < 0:
                    c = x - fx / d
                    if abs(c - x) <= tol / 4:  # may round to x itself at working precision
                        cand, converged = c, True
                    elif lo < c < hi:
                        cand = c
            if converged:
                # Newton has converged: certify a bracket of width tol around the candidate
                a = cand - tol / 2
                b = cand + tol / 2
                if lo < a < hi:
                    if f(a) > 0:
                        lo = a
                    else:
                        hi = a
                if lo < b < hi:
                    if f(b) <= 0:
                        hi = b
                    else:
                        lo = b
                if hi - lo <= tol:
                    return lo
                cand = None
            x = cand if cand is not None else lo + (hi - lo) / 2
        raise NumericError("root bracket did not reach the requested width")


# ----------------------------------------------------------------------------------------------------
# float64
# ----------------------------------------------------------------------------------------------------


class FloatBackend(Backend):
    """IEEE float64 with scipy special functions; ``down``/``up`` move by ``8*cond`` ulps (relative)."""

    name = "float64"
    dps = 15
    is_float = True
    ULPS = 8.0

    def num(self, x: Exact | Real, rnd: Rounding = "nearest") -> float:
        if isinstance(x, float):
            return x
        if isinstance(x, int) and not isinstance(x, bool) and abs(x) <= 2**53:
            return float(x)
        q = x if isinstance(x, Fraction) else to_fraction(x)
        f = q.numerator / q.denominator  # correctly rounded (Python int true division)
        if rnd == "down" and Fraction(f) > q:
            f = math.nextafter(f, -math.inf)
        elif rnd == "up" and Fraction(f) < q:
            f = math.nextafter(f, math.inf)
        return f

    def to_fraction(self, x: Real) -> Fraction:
        return Fraction(float(x))

    def phi(self, x: Real) -> float:
        return float(_sp.ndtr(x))

    def phi_inv(self, p: Real) -> float:
        if p > 0.5:
            return -float(_sp.ndtri(1.0 - p))  # 1-p is exact for p >= 1/2 (Sterbenz)
        return float(_sp.ndtri(p))

    def npdf(self, x: Real) -> float:
        return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)

    def log(self, x: Real) -> float:
        return math.log(x) if x > 0 else -math.inf

    def exp(self, x: Real) -> float:
        return math.exp(x)

    def sqrt(self, x: Real) -> float:
        return math.sqrt(x)

    def log1p(self, x: Real) -> float:
        return math.log1p(x) if x > -1 else -math.inf

    def expm1(self, x: Real) -> float:
        return math.expm1(x)

    def lgamma(self, x: Real) -> float:
        return math.lgamma(x)

    def rel_margin(self) -> float:
        return self.ULPS * _EPS

    def down(self, x: Real, cond: float = 1.0) -> float:
        x = float(x)
        if x == 0.0 or not math.isfinite(x):
            return x
        return math.nextafter(x - abs(x) * self.ULPS * cond * _EPS, -math.inf)

    def up(self, x: Real, cond: float = 1.0) -> float:
        x = float(x)
        if x == 0.0 or not math.isfinite(x):
            return x
        return math.nextafter(x + abs(x) * self.ULPS * cond * _EPS, math.inf)

    def tolerance(self) -> float:
        return 1e-13

    def __repr__(self) -> str:
        return "FLOAT"


FLOAT = FloatBackend()


# ----------------------------------------------------------------------------------------------------
# mpmath
# ----------------------------------------------------------------------------------------------------

_RND = {"nearest": "n", "down": "f", "up": "c"}  # mpmath rounding codes


class MpBackend(Backend):
    """mpmath in a private context at ``dps + GUARD_DIGITS`` digits; never changes global ``mpmath.mp``."""

    is_float = False

    def __init__(self, dps: int = DEFAULT_DPS) -> None:
        if not isinstance(dps, int) or dps < 20 or dps > 10000:
            raise UsageError(f"precision must be an integer number of digits in [20, 10000], got {dps!r}")
        self.dps = dps
        self.name = f"mpmath-{dps}"
        ctx = mpmath.MPContext()
        ctx.dps = dps + GUARD_DIGITS
        self.ctx = ctx
        self._rel = ctx.mpf(10) ** (-(dps - 5))
        self._tol = ctx.mpf(10) ** (-(dps - 5))
        self._step_tol = ctx.mpf(10) ** (-(dps + GUARD_DIGITS - 2))
        self._halley_stop = ctx.sqrt(self._step_tol) / 1000
        # |u|·(1+|x|) below this: the 5th-order term (|coefficient| <= (1+|x|)**4) is < step_tol / 10**4
        self._series_ok = ctx.root(self._step_tol / 10**4, 5)
        self._half = ctx.mpf(0.5)
        self._sqrt2pi = ctx.sqrt(2 * ctx.pi)

    def num(self, x: Exact | Real, rnd: Rounding = "nearest") -> Real:
        ctx = self.ctx
        if isinstance(x, ctx.mpf):
            return x
        if isinstance(x, int) and not isinstance(x, bool):
            return ctx.make_mpf(libmp.from_int(x, ctx.prec, _RND[rnd]))
        if hasattr(x, "_mpf_"):  # an mpf of another context: exact value, re-rounded
            q = _mpf_fraction(x._mpf_)
        else:
            q = x if isinstance(x, Fraction) else to_fraction(x)
        return ctx.make_mpf(libmp.from_rational(q.numerator, q.denominator, ctx.prec, _RND[rnd]))

    def to_float(self, x: Real) -> float:
        return float(x)

    def to_fraction(self, x: Real) -> Fraction:
        return _mpf_fraction(self.num(x)._mpf_)

    def phi(self, x: Real) -> Real:
        return self.ctx.ncdf(x)

    def npdf(self, x: Real) -> Real:
        return self.ctx.exp(-x * x / 2) / self._sqrt2pi

    def phi_inv(self, p: Real) -> Real:
        ctx = self.ctx
        p = self.num(p)
        if not 0 < p < 1:
            if p == 0:
                return ctx.ninf
            if p == 1:
                return ctx.inf
            raise NumericError(f"phi_inv: probability {p} outside [0, 1]")
        if p > self._half:
            return -self._phi_inv_lower(1 - p)
        return self._phi_inv_lower(p)

    def _phi_inv_lower(self, p: Real) -> Real:
        """Φ⁻¹(p) for 0 < p <= 1/2: Halley steps from scipy's float value (deep tails: Newton on log Φ).

        Halley converges cubically, so once a step is below ``sqrt(step_tol)`` the remaining error after it
        is far below the working precision and the iteration stops without a confirming evaluation.
        """
        ctx = self.ctx
        fp = float(p)
        if fp > 1e-300:
            x = ctx.mpf(float(_sp.ndtri(fp)))
            for _ in range(20):
                cdf = ctx.ncdf(x)
                u = (cdf - p) / self.npdf(x)  # Newton step for Φ(x) - p
                if abs(u) * (1 + abs(x)) <= self._series_ok:
                    # inverse-function Taylor series of Φ⁻¹ at Φ(x), to u⁴; the u⁵ term is < 10**-(dps+14)
                    x2 = x * x
                    return x - u * (1 - u * (x / 2 - u * ((1 + 2 * x2) / 6 - u * x * (7 + 6 * x2) / 24)))
                denom = 1 + x * u / 2  # Halley: f''/f' = -x
                step = u / denom if self._half <= denom <= 2 else u
                x -= step
                if abs(step) <= self._halley_stop * (1 + abs(x)):
                    return x
            raise NumericError("phi_inv: Halley iteration did not converge")
        t = ctx.sqrt(-2 * ctx.log(p))
        x = -(t - (ctx.log(t) + ctx.log(4 * ctx.pi) / 2) / t)
        logp = ctx.log(p)
        for _ in range(100):
            cdf = ctx.ncdf(x)
            if cdf <= 0:
                raise NumericError("phi_inv: underflow in the normal tail")
            step = (ctx.log(cdf) - logp) * cdf / self.npdf(x)
            x -= step
            if abs(step) <= self._step_tol * (1 + abs(x)):
                return x
        raise NumericError("phi_inv: Newton iteration did not converge")

    def log(self, x: Real) -> Real:
        return self.ctx.log(x)

    def exp(self, x: Real) -> Real:
        return self.ctx.exp(x)

    def sqrt(self, x: Real) -> Real:
        return self.ctx.sqrt(x)

    def log1p(self, x: Real) -> Real:
        return self.ctx.log1p(x)

    def expm1(self, x: Real) -> Real:
        return self.ctx.expm1(x)

    def lgamma(self, x: Real) -> Real:
        return self.ctx.loggamma(x)

    def rel_margin(self) -> Real:
        return self._rel

    def down(self, x: Real, cond: float = 1.0) -> Real:
        x = self.num(x)
        if x == 0 or not self.ctx.isfinite(x):
            return x
        return x - abs(x) * self._rel * self.num(cond)

    def up(self, x: Real, cond: float = 1.0) -> Real:
        x = self.num(x)
        if x == 0 or not self.ctx.isfinite(x):
            return x
        return x + abs(x) * self._rel * self.num(cond)

    def tolerance(self) -> Real:
        return self._tol

    def __repr__(self) -> str:
        return f"mp_backend({self.dps})"


MAX_EXACT_EXPONENT = 1 << 17
"""Binary exponents beyond ±2¹⁷ are refused when a number is made exact (1e±9999 needs ±33,216): past that
the rational alone would take megabytes and its arithmetic minutes."""


def _mpf_fraction(mpf_tuple: tuple[int, int, int, int]) -> Fraction:
    """Exact rational value of a finite raw mpf tuple (NumericError beyond :data:`MAX_EXACT_EXPONENT`)."""
    sign, man, exp, _bc = mpf_tuple
    if man == 0:
        if exp != 0:
            raise NumericError("not a finite number")
        return Fraction(0)
    if abs(exp) > MAX_EXACT_EXPONENT:
        raise NumericError(f"a value with binary exponent {exp} is outside the exact range")
    v = Fraction(int(man)) * (Fraction(2) ** exp)  # int(): gmpy2 gives mpz mantissas
    return -v if sign else v


@lru_cache(maxsize=16)
def mp_backend(dps: int = DEFAULT_DPS) -> MpBackend:
    """The (cached, immutable) mpmath backend at ``dps`` significant decimal digits."""
    return MpBackend(dps)
