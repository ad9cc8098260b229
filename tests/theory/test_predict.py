"""PREDICT: the two-sided binomial test vs scipy; Cohen's top-1 and Jia et al.'s top-k sequential test."""

from fractions import Fraction
from math import comb

import pytest
from scipy.stats import binomtest

from audit.errors import UsageError
from audit.theory.precision import FLOAT, mp_backend
from audit.theory.predict import binom_test_two_sided, predict_top1, predict_topk

MP = mp_backend(50)


def B_of(b):
    return FLOAT if b is None else b


def _exact_pvalue(x: int, n: int) -> Fraction:
    """Brute force with integers: min(1, 2 Σ_{j <= min(x, n-x)} C(n, j) / 2^n)."""
    j = min(x, n - x)
    return min(Fraction(1), Fraction(2 * sum(comb(n, i) for i in range(j + 1)), 2**n))


@pytest.mark.parametrize(
    "x,n", [(60, 100), (30, 100), (50, 100), (7, 10), (0, 5), (5000, 9800), (51, 101), (3, 3)]
)
def test_pvalue_exact_and_rounded_up(x: int, n: int) -> None:
    ref = _exact_pvalue(x, n)
    assert abs(binomtest(x, n, 0.5).pvalue - float(ref)) <= 1e-12 * float(ref)  # scipy agrees
    for B in (None, MP):
        p = binom_test_two_sided(x, n) if B is None else binom_test_two_sided(x, n, B)
        assert B_of(B).to_fraction(p) >= ref  # never below the exact p-value
        assert abs(float(p) - float(ref)) <= 1e-10 * float(ref)
    assert MP.to_fraction(binom_test_two_sided(x, n, MP)) - ref <= ref * Fraction(1, 10**40)


def test_pvalue_exact_small_case() -> None:
    # n = 10, x = 0: 2 / 1024 exactly
    p = binom_test_two_sided(0, 10, MP)
    assert p >= 2 / MP.num(1024)
    assert p - 2 / MP.num(1024) < MP.num("1e-45")
    assert binom_test_two_sided(0, 0) == 1.0


def test_cohen_predict() -> None:
    r = predict_top1([2, 90, 8], "0.001")
    assert r.labels == (1,) and not r.abstain and r.method == "cohen-predict"
    r = predict_top1([48, 52, 0], "0.001")
    assert r.abstain and r.labels is None
    r = predict_top1([50, 50, 0], "0.4")  # tie: p-value 1, abstain whatever alpha
    assert r.abstain


def test_topk_sequential_test() -> None:
    counts = [5, 400, 300, 10, 285]
    # c1=1 (400) vs c2=2 (300): significant; c2=2 (300) vs c3=4 (285): not -> abstain for k=2
    assert predict_topk(counts, 1, "0.001").labels == (1,)
    r = predict_topk(counts, 2, "0.001")
    assert r.abstain and len(r.pvalues) == 2
    counts = [5, 400, 300, 10, 150]
    assert predict_topk(counts, 2, "0.001", MP).labels == (1, 2)
    assert predict_topk(counts, 3, "0.001").labels == (1, 2, 4)


def test_decision_uses_alpha_boundary_conservatively() -> None:
    # 61/100: p = 0.0352002... ; alpha just above -> predict; alpha equal to a lower value -> abstain
    p = binomtest(61, 100, 0.5).pvalue
    assert not predict_top1([61, 39], p * 1.000001).abstain
    assert predict_top1([61, 39], p * 0.999999).abstain


@pytest.mark.parametrize("counts,k", [([1], 1), ([1, 2], 2), ([1, -1], 1), ([1, 2, 3], 0)])
def test_rejects_bad_input(counts: list[int], k: int) -> None:
    with pytest.raises(UsageError):
        predict_topk(counts, k, "0.01")
