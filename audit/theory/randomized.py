"""Randomized Clopper–Pearson bounds (uniformly most accurate) with a committed uniform ``U``.

The lower bound solves ``P_p(X > k) + U·P_p(X = k) = α`` in ``p`` (docs/theory.md §2); the left side equals
``U·P_p(X >= k) + (1-U)·P_p(X >= k+1)``, increasing in ``p``, so the root lies between ``CP_low(k)`` (U = 1,
the ordinary Clopper–Pearson bound) and ``CP_low(k+1)`` (U = 0): never below CP. The upper bound is the mirror
image ``1 - lower(n - k)``.

Guarantee: if ``U ~ Uniform(0, 1)`` is fixed *before* the counts are drawn and independent of them, then
``P(p < lower) = α`` exactly (and ``<= α`` for the returned, conservatively rounded value). A ``U`` chosen
after seeing the counts voids the guarantee; :func:`committed_uniform` derives ``U`` from the recorded seed so
that issuer and auditor agree on it. Edge cases follow the equation: ``k = n`` and ``U <= α`` gives 1;
``k = 0`` and ``U >= α`` gives 0.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction

from scipy import special as _sp

from audit.errors import UsageError
from audit.theory.binomial import binomial_tail, cp_lower
from audit.theory.precision import FLOAT, Backend, Bound, Exact, MpBackend, Real, check_alpha, to_fraction

__all__ = ["RandomizedBound", "committed_uniform", "randomized_cp_lower", "randomized_cp_upper"]

_FLOAT_COND = 4096.0
"""Outward nudge (in units of FLOAT.down's 8 ulps) for float roots: covers scipy's ~1e-14 tail error."""


@dataclass(frozen=True)
class RandomizedBound(Bound):
    """A :class:`Bound` from randomized CP, recording the committed ``u`` and the evidence."""

    u: Fraction
    k: int
    n: int
    precision: str


def committed_uniform(seed: int, context: str = "randomized-cp") -> Fraction:
    """Deterministic ``U ∈ (0, 1)`` from a seed: ``(H + 1/2) / 2**256`` with ``H = sha256(context:seed)``.

    Fix the seed before sampling and record it; the auditor recomputes the same ``U``.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError(f"seed must be an integer, got {seed!r}")
    h = int.from_bytes(hashlib.sha256(f"{context}:{seed}".encode()).digest(), "big")
    return Fraction(2 * h + 1, 2**257)


def _tail(backend: Backend, k: int, n: int, p: Real) -> Real:
    """``P_p(X >= k)`` for ``X ~ Bin(n, p)``, 0 < p < 1."""
    if k <= 0:
        return backend.one
    if k > n:
        return backend.zero
    if backend.is_float:
        return float(_sp.betainc(k, n - k + 1, float(p)))
    assert isinstance(backend, MpBackend)
    return binomial_tail(k, n, p, backend)


def _lower_value(k: int, n: int, alpha: Fraction, u: Fraction, backend: Backend) -> Real:
    B = backend
    a = B.num(alpha)
    bu = B.num(u)

    def f(p: Real) -> Real:  # alpha - pvalue(p): strictly decreasing in p on (0, 1)
        if p <= 0:
            return a - (bu if k == 0 else B.zero)
        if p >= 1:
            return a - (B.one if k < n else bu)
        return a - (bu * _tail(B, k, n, p) + (1 - bu) * _tail(B, k + 1, n, p))

    # pvalue is squeezed between P(X >= k+1) and P(X >= k): the root lies in [CP_low(k), CP_low(k+1)]
    lo = cp_lower(k, n, alpha, B).value if k > 0 else B.zero  # already rounded down
    hi = B.up(cp_lower(k + 1, n, alpha, B).value, 4.0) if k < n else B.one
    hi = hi if hi < 1 else B.one
    if not f(lo) > 0:
        return lo  # root <= lo only at U = 1 (lo = CP) or k = 0 with U >= alpha (lo = 0)
    if f(hi) > 0:
        return hi  # only at hi == 1 with k == n and U <= alpha
    r = B.root_decreasing(f, lo, hi)
    r = B.down(r, _FLOAT_COND if B.is_float else 1.0)
    return r if r > 0 else B.zero


def _checks(k: int, n: int, alpha: Exact, u: Exact) -> tuple[Fraction, Fraction]:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n must be an integer >= 1, got {n!r}")
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= n:
        raise UsageError(f"count k={k!r} outside [0, n={n}]")
    uu = to_fraction(u)
    if not 0 <= uu <= 1:
        raise UsageError(f"U must lie in [0, 1], got {u!r}")
    return check_alpha(alpha), uu


def randomized_cp_lower(k: int, n: int, alpha: Exact, u: Exact, backend: Backend = FLOAT) -> RandomizedBound:
    """Randomized CP lower bound: root of ``P_p(X > k) + U·P_p(X = k) = α``, rounded down.

    Lies in ``[CP_low(k), CP_low(k+1)]``; ``u = 1`` gives Clopper–Pearson.
    """
    a, uu = _checks(k, n, alpha, u)
    v = _lower_value(k, n, a, uu, backend)
    return RandomizedBound(v, "lower", "randomized-cp", a, uu, k, n, backend.label)


def randomized_cp_upper(k: int, n: int, alpha: Exact, u: Exact, backend: Backend = FLOAT) -> RandomizedBound:
    """Randomized CP upper bound: root of ``P_p(X < k) + U·P_p(X = k) = α``, rounded up (= 1 - lower(n-k))."""
    a, uu = _checks(k, n, alpha, u)
    low = _lower_value(n - k, n, a, uu, backend)
    v = backend.num(1 - backend.to_fraction(low), "up")
    return RandomizedBound(v, "upper", "randomized-cp", a, uu, k, n, backend.label)
