"""docs/theory.md §9 reference values at 50 digits: >= 30 significant digits, never on the unsafe side.

Notes: the §9 top-k and Laplace references were computed with the bounds as binary64 values (0.1 etc. as
floats); with exact decimals our values are slightly lower, which an independent mpmath ``findroot`` on the
exact decimals confirms below.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from audit.theory import (
    FLOAT,
    ablation_radius,
    cohen_radius,
    cp_lower,
    laplace_binary_radius,
    laplace_radius,
    mp_backend,
    topk_radius,
)

B = mp_backend(50)


def _agree_below(value, ref, digits: int = 30) -> None:
    """``value`` <= ref (an independent high-precision value), agreeing to ``digits`` significant digits."""
    v = B.to_fraction(value)
    r = Fraction(mpmath.nstr(ref, 70, strip_zeros=False)) if not isinstance(ref, str) else Fraction(ref)
    assert v <= r, (v, r)
    assert (r - v) / r < Fraction(1, 10**digits), float((r - v) / r)


def _g(a, b, t: int, R):
    s = mpmath.mpf("0.5")
    return mpmath.ncdf(a - R / s) - mpmath.ncdf(b + R / s) / t


def _tail_bruteforce(k: int, n: int, p):
    """P_p(X >= k) = P(Y <= n-k), Y ~ Bin(n, 1-p): a plain sum of n-k+1 exact-binomial terms."""
    q = 1 - p
    return mpmath.fsum(mpmath.binomial(n, j) * q**j * p ** (n - j) for j in range(n - k + 1))


@pytest.mark.parametrize(
    ("k", "n", "printed"),
    [
        (99990, 100000, "0.99975867734359116"),
        (99000, 100000, "0.98898934037747476"),
        (100, 100, "0.93325430079699104"),
        (60, 100, "0.44098426522129929"),
    ],
)
def test_cp_lower_reference(k: int, n: int, printed: str) -> None:
    # independent value: a brute-force binomial-sum tail inverted by findroot at 80 digits
    with mpmath.workdps(80):
        if k == n:
            indep = mpmath.mpf("0.001") ** (mpmath.mpf(1) / n)
        else:
            f = lambda p: _tail_bruteforce(k, n, p) / mpmath.mpf("0.001") - 1  # noqa: E731
            x0, w = mpmath.mpf(printed), mpmath.mpf(10) ** -16
            indep = mpmath.findroot(f, (x0 - w, x0 + w), solver="illinois", verify=False)
            assert abs(f(indep)) < mpmath.mpf(10) ** -60
        assert abs(indep - mpmath.mpf(printed)) < mpmath.mpf(10) ** -17
        value = cp_lower(k, n, "0.001", B).value
        _agree_below(value, indep, 40)


def test_cp_lower_section9_prints() -> None:
    for (k, n), ref in {
        (99990, 100000): "0.99975867734359116",
        (99000, 100000): "0.98898934037747476",
        (100, 100): "0.93325430079699104",
        (60, 100): "0.44098426522129929",
    }.items():
        v = B.to_fraction(cp_lower(k, n, "0.001", B).value)
        assert abs(v - Fraction(ref)) < Fraction(1, 10**17)


def test_cohen_reference() -> None:
    r1 = cohen_radius(cp_lower(100000, 100000, "0.001", B).value, 1, backend=B)
    assert abs(B.to_fraction(r1) - Fraction("3.811457")) < Fraction(1, 10**6)
    r2 = cohen_radius(cp_lower(99000, 100000, "0.001", B).value, 1, backend=B)
    assert abs(B.to_fraction(r2) - Fraction("2.290000")) < Fraction(1, 10**6)
    assert cohen_radius(cp_lower(50490, 100000, "0.001", B).value, 1, backend=B) is not None
    assert cohen_radius(cp_lower(50489, 100000, "0.001", B).value, 1, backend=B) is None
    # float path agrees on the abstain boundary
    assert cohen_radius(cp_lower(50490, 100000, "0.001").value, 1) is not None
    assert cohen_radius(cp_lower(50489, 100000, "0.001").value, 1) is None


def test_topk_reference_binary64_inputs() -> None:
    r = topk_radius(0.5, [0.2, 0.15, 0.1, 0.05], 3, 0.5, B)
    with mpmath.workdps(80):
        a = mpmath.mpf(0)
        roots = []
        # top-3 uppers ascending (0.1, 0.15, 0.2) as binary64 values: pS_t are their exact partial sums
        parts = [mpmath.mpf(0.1), mpmath.mpf(0.15), mpmath.mpf(0.2)]
        for t in (1, 2, 3):
            ps = min(sum(parts[:t]), 1 - mpmath.mpf(0.5))
            b = mpmath.sqrt(2) * mpmath.erfinv(2 * ps - 1)
            roots.append(mpmath.findroot(lambda R, b=b, t=t: _g(a, b, t, R), 0.3))
        ref = max(roots)
        assert mpmath.nstr(ref, 18).startswith("0.35344320263097317")
        _agree_below(r, ref, 30)


def test_topk_exact_decimals_independent_findroot() -> None:
    r = topk_radius("0.5", ["0.2", "0.15", "0.1", "0.05"], 3, "0.5", B)
    with mpmath.workdps(60):
        roots = []
        for t, ps in ((1, "0.1"), (2, "0.25"), (3, "0.45")):
            b = mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(ps) - 1)
            roots.append(mpmath.findroot(lambda R, b=b, t=t: _g(0, b, t, R), 0.3))
        _agree_below(r, max(roots), 30)
    assert B.to_fraction(r) < Fraction("0.353443202630973182148845478414082490")


def test_ablation_reference() -> None:
    assert ablation_radius("0.8", ["0.1", "0.05", "0.03"], 3, 1024, 50) == 16
    assert ablation_radius("0.8", ["0.1", "0.05", "0.03"], 1, 1024, 50) == 8


def test_laplace_reference_binary64_inputs() -> None:
    # independent closed forms with the same binary64 inputs at 60 digits
    with mpmath.workdps(60):
        a, b = mpmath.mpf(0.8), mpmath.mpf(0.15)
        ref1 = max(mpmath.mpf(0.5) / 2 * mpmath.log(a / b), -mpmath.mpf(0.5) * mpmath.log(1 - a + b))
        ref2 = -mpmath.mpf(0.5) * mpmath.log(2 * (1 - a))
        s1, s2 = mpmath.nstr(ref1, 45, strip_zeros=False), mpmath.nstr(ref2, 45, strip_zeros=False)
        _agree_below(laplace_radius(0.8, 0.15, 0.5, B), ref1, 30)
        _agree_below(laplace_binary_radius(0.8, 0.5, B), ref2, 30)
    assert s1.startswith("0.524911062249338915")
    assert s2.startswith("0.458145365937077643")


def test_float_reference_never_above() -> None:
    for k, n in ((99990, 100000), (99000, 100000), (100, 100), (60, 100)):
        f = cp_lower(k, n, "0.001", FLOAT).value
        m = B.to_fraction(cp_lower(k, n, "0.001", B).value)
        assert Fraction(f) <= m
        assert (m - Fraction(f)) / m < Fraction(1, 10**12)
