"""PREDICT: when the smoothed top-1 / top-k labels can be announced (Cohen et al.; Jia et al. 2020 Alg. 1).

* :func:`binom_test_two_sided` — two-sided binomial test of ``p = 1/2``: ``min(1, 2·P(X <= min(x, n-x)))``
  (the p = 1/2 distribution is symmetric, so this equals scipy's ``binomtest(x, n, 0.5).pvalue``). Rounded up.
* :func:`predict_top1` — Cohen's PREDICT: top two counts ``n_A >= n_B``; announce A iff
  ``BinomTest(n_A, n_A + n_B, 1/2) <= α``, else abstain. Guarantee: ``P(announce a label != g(x)) <= α``.
* :func:`predict_topk` — Jia et al. 2020 Alg. 1: sort counts descending, accept ``c_t`` while
  ``BinomTest(n_ct, n_ct + n_c(t+1), 1/2) <= α`` for t = 1..k, else abstain. Guarantee (Jia et al. 2020,
  Prop. 1): with probability >= 1 - α, a returned set equals the smoothed top-k set.

Ties are broken by the lower label index (deterministic); a tie between the compared counts has p-value 1, so
the way ties are broken never changes a non-abstaining answer. The p-values are rounded up, so a decision is
never less conservative than the exact test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from audit.errors import UsageError
from audit.theory.binomial import binomial_tail
from audit.theory.precision import FLOAT, Backend, Exact, MpBackend, Real, check_alpha

__all__ = ["Prediction", "binom_test_two_sided", "predict_top1", "predict_topk"]

_FLOAT_COND = 4096.0
"""Upward nudge (units of FLOAT.up's 8 ulps) of float p-values: covers scipy's binomial CDF error."""


@dataclass(frozen=True)
class Prediction:
    """PREDICT outcome: ``labels`` (top first) or ``None`` for abstain, and the p-values of the tests run."""

    labels: tuple[int, ...] | None
    pvalues: tuple[Real, ...]
    alpha: Fraction
    method: str
    precision: str

    @property
    def abstain(self) -> bool:
        return self.labels is None


def _cdf_half(j: int, n: int, backend: Backend) -> Real:
    """``P(X <= j)`` for ``X ~ Bin(n, 1/2)`` and ``0 <= j < n/2`` (upper-rounded in float)."""
    if backend.is_float:
        from scipy.stats import binom  # scipy.stats costs 0.6 s to import: only when the float path needs it

        return backend.up(float(binom.cdf(j, n, 0.5)), _FLOAT_COND)
    assert isinstance(backend, MpBackend)
    # symmetric: P(X <= j) = P(X >= n - j), a tail above the mean
    return backend.up(binomial_tail(n - j, n, backend.half, backend))


def binom_test_two_sided(x: int, n: int, backend: Backend = FLOAT) -> Real:
    """Two-sided p-value of ``x`` successes in ``n`` trials under ``p = 1/2``, rounded up (1 when n = 0)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise UsageError(f"n must be an integer >= 0, got {n!r}")
    if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x <= n:
        raise UsageError(f"x={x!r} outside [0, n={n}]")
    j = min(x, n - x)
    if 2 * j >= n:
        return backend.one
    p = 2 * _cdf_half(j, n, backend)
    return p if p < 1 else backend.one


def _order(counts: Sequence[int]) -> list[int]:
    for i, c in enumerate(counts):
        if isinstance(c, bool) or not isinstance(c, int) or c < 0:
            raise UsageError(f"count {i} must be a non-negative integer, got {c!r}")
    if len(counts) < 2:
        raise UsageError("need counts for at least two labels")
    return sorted(range(len(counts)), key=lambda i: (-counts[i], i))


def predict_topk(counts: Sequence[int], k: int, alpha: Exact, backend: Backend = FLOAT) -> Prediction:
    """Jia et al. 2020 Alg. 1 (k = 1 is Cohen's PREDICT): the top-k labels or abstain (``labels is None``)."""
    a = check_alpha(alpha)
    order = _order(counts)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k < len(counts):
        raise UsageError(f"k must be an integer in [1, {len(counts) - 1}], got {k!r}")
    method = "topk-predict" if k > 1 else "cohen-predict"
    pvalues: list[Real] = []
    for t in range(k):
        hi, lo = counts[order[t]], counts[order[t + 1]]
        pv = binom_test_two_sided(hi, hi + lo, backend)
        pvalues.append(pv)
        if not pv <= backend.num(a, "down"):
            return Prediction(None, tuple(pvalues), a, method, backend.label)
    return Prediction(tuple(order[:k]), tuple(pvalues), a, method, backend.label)


def predict_top1(counts: Sequence[int], alpha: Exact, backend: Backend = FLOAT) -> Prediction:
    """Cohen's PREDICT: the top label if ``BinomTest(n_A, n_A + n_B, 1/2) <= α``, else abstain."""
    return predict_topk(counts, 1, alpha, backend)
