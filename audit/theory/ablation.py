"""Randomized ablation, L0 radii (docs/theory.md §4, Jia et al. 2022), in exact integer arithmetic.

Label probabilities are multiples of ``1/N``, ``N = C(d, e)``. With ``PL = ceil(pl_low·N)``,
``P_j = floor(p_up_j·N)``, the k largest ``P_j`` ascending ``a_1..a_k``, ``U_t = min(Σ_{j<=t} P_aj, N − PL)``
and ``D(r) = N − C(d−r, e)`` (so ``Δ(r) = D(r)/N``), the radius is the largest integer r >= 0 with
``t·(PL − D(r)) > U_t + D(r)`` for some t (the condition of §4 multiplied by t·N). The condition is monotone
in r, so a binary search over ``[0, d − e]`` finds it. Everything is exact (Python ints and Fractions): the
bounds are converted exactly from backend numbers, so the result does not depend on the backend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache

from audit.errors import UsageError
from audit.theory.precision import Backend, Exact, Real, to_fraction


@lru_cache(maxsize=64)
def _comb(d: int, e: int) -> int:
    return math.comb(d, e)


def _exact(x: Exact | Real) -> Fraction:
    if hasattr(x, "_mpf_"):
        from audit.theory.precision import _mpf_fraction

        return _mpf_fraction(x._mpf_)
    return to_fraction(x)  # type: ignore[arg-type]


def _check_de(d: int, keep: int) -> None:
    for name, v in (("d", d), ("keep", keep)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise UsageError(f"{name} must be a positive integer, got {v!r}")
    if keep > d:
        raise UsageError(f"keep={keep} exceeds d={d}")


def _prob(x: Exact | Real, name: str) -> Fraction:
    v = _exact(x)
    if not 0 <= v <= 1:
        raise UsageError(f"{name} must be a probability in [0, 1], got {x}")
    return v


def _largest_r(cond, d: int, keep: int) -> int | None:
    """Largest r in [0, d-keep] with cond(r) true (cond monotone: true then false); None if cond(0) fails."""
    if not cond(0):
        return None
    lo, hi = 0, d - keep  # cond(lo) true
    if cond(hi):
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cond(mid):
            lo = mid
        else:
            hi = mid
    return lo


def ablation_radius(
    pl_low: Exact | Real,
    uppers: Sequence[Exact | Real],
    k: int,
    d: int,
    keep: int,
    backend: Backend | None = None,
) -> int | None:
    """Jia et al. 2022 certified L0 radius (exact integer) for top-k; None = abstain.

    ``backend`` is accepted for a uniform signature and ignored: the computation is exact.
    """
    _check_de(d, keep)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise UsageError(f"k must be a positive integer, got {k!r}")
    if not uppers:
        raise UsageError("need upper bounds for at least one other label")
    N = _comb(d, keep)
    pl = _prob(pl_low, "pl_low")
    PL = math.ceil(pl * N)
    ps = sorted(math.floor(_prob(u, "upper bound") * N) for u in uppers)[-k:]
    cap = N - PL
    sums: list[int] = []
    acc = 0
    for p in ps:
        acc += p
        sums.append(min(acc, cap))

    def cond(r: int) -> bool:
        D = N - _comb_shift(d, keep, r)
        return any(t * (PL - D) > u + D for t, u in enumerate(sums, start=1))

    return _largest_r(cond, d, keep)


def _comb_shift(d: int, keep: int, r: int) -> int:
    """C(d − r, keep) (0 when d − r < keep)."""
    return math.comb(d - r, keep) if d - r >= keep else 0


def levine_feizi_radius(
    pA_low: Exact | Real, pB_up: Exact | Real, d: int, keep: int, backend: Backend | None = None
) -> int | None:
    """Levine & Feizi: largest r with ``pA_low − pB_up > 2Δ(r)`` (no rounding to 1/N); None = abstain."""
    _check_de(d, keep)
    N = _comb(d, keep)
    gap = _prob(pA_low, "pA_low") - _prob(pB_up, "pB_up")

    def cond(r: int) -> bool:
        return gap * N > 2 * (N - _comb_shift(d, keep, r))

    return _largest_r(cond, d, keep)
