"""The fast 50-digit paths (CP roots, top-k roots, Φ⁻¹) keep their guarantees.

References are independent: exact integer/rational binomial tails, mpmath in its own context at 100+ digits,
and the exact rational value of fixed-point series. Nothing here compares the code with its own output.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import mpmath
import pytest
from realdata import realdata

from audit.theory import binomial as bn
from audit.theory import cp_lower, cp_upper, mp_backend, topk_radius
from audit.theory import gaussian as ga
from audit.theory.precision import MpBackend


def _exact(x: object) -> Fraction:
    """Exact rational value of an mpf of any context."""
    sign, man, exp, _bc = x._mpf_  # type: ignore[attr-defined]
    v = Fraction(int(man)) * Fraction(2) ** exp
    return -v if sign else v


def _tail_ge_exact(k: int, n: int, p: Fraction) -> Fraction:
    """``P_p(X >= k)`` exactly (integer arithmetic on a common denominator)."""
    num, den = p.numerator, p.denominator
    total = sum(math.comb(n, j) * num**j * (den - num) ** (n - j) for j in range(k, n + 1))
    return Fraction(total, den**n)


def _tail_le_exact(k: int, n: int, p: Fraction) -> Fraction:
    return 1 - _tail_ge_exact(k + 1, n, p)


# --------------------------------------------------------------------------------------------------
# fixed-point series: the returned error bound really bounds the error
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_ratio_sum_error_bound_holds_against_exact_rational_sum(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        num0 = rng.randint(0, 120)
        den0 = rng.randint(1, 200)
        # a ratio with r·num0/den0 < 1, as in both tail branches
        r = Fraction(rng.randint(1, 10**6), 10**6) * Fraction(den0, max(num0, 1)) * Fraction(99, 100)
        e, b, target = 70, 64, 40  # low precision so that the bound is exercised
        ratio_fix = math.floor(r * 2**e)
        total, err, _m = bn._ratio_sum_err(num0, den0, ratio_fix, e, b, target)
        r_used = Fraction(ratio_fix, 2**e)
        exact, term = Fraction(1), Fraction(1)
        for i in range(num0):
            term = term * r_used * (num0 - i) / (den0 + i)
            exact += term
        assert abs(Fraction(total, 2**b) - exact) <= Fraction(err) / 2**b
        assert err < 2.0 ** (b - target + 24)  # and not uselessly loose


# --------------------------------------------------------------------------------------------------
# Clopper–Pearson: below (above) the exact root, and within the promised bracket
# --------------------------------------------------------------------------------------------------

CASES = [
    (1, 7),
    (3, 7),
    (6, 7),
    (1, 60),
    (30, 60),
    (59, 60),
    (2, 250),
    (125, 250),
    (240, 250),
    (249, 250),
]
ALPHAS = ["0.001", "1e-9", "0.05", "0.5", "0.999"]


@pytest.mark.parametrize("dps", [20, 50])
@pytest.mark.parametrize(("k", "n"), CASES)
def test_cp_bounds_bracket_the_exact_root(k: int, n: int, dps: int) -> None:
    B = mp_backend(dps)
    rel = Fraction(1, 10 ** (dps - 5))
    for a_txt in ALPHAS:
        alpha = Fraction(a_txt)
        lo = _exact(cp_lower(k, n, a_txt, B).value)
        assert 0 < lo < 1
        assert _tail_ge_exact(k, n, lo) < alpha, (k, n, a_txt, "lower bound above the root")
        assert _tail_ge_exact(k, n, lo + 3 * rel * lo) >= alpha, (k, n, a_txt, "lower bound not tight")
        up = _exact(cp_upper(k, n, a_txt, B).value)
        assert 0 < up < 1
        assert _tail_le_exact(k, n, up) < alpha, (k, n, a_txt, "upper bound below the root")
        assert _tail_le_exact(k, n, up - 3 * rel * up) >= alpha, (k, n, a_txt, "upper bound not tight")


def _mp_tail_ge_exceeds(k: int, n: int, p: Fraction, alpha: Fraction, dps: int = 110) -> bool:
    """Independent ``P_p(X >= k) >= alpha`` for large n: pmf terms at ``dps`` digits, summed away from the
    mode until they drop below 1e-(dps+10) of the total (terms are log-concave)."""
    with mpmath.workdps(dps):
        x = mpmath.mpf(p.numerator) / p.denominator
        lp, lq = mpmath.log(x), mpmath.log1p(-x)

        def pmf(j: int) -> mpmath.mpf:
            lc = mpmath.loggamma(n + 1) - mpmath.loggamma(j + 1) - mpmath.loggamma(n - j + 1)
            return mpmath.exp(lc + j * lp + (n - j) * lq)

        upper = k > n * x
        js = range(k, n + 1) if upper else range(k - 1, -1, -1)
        total = mpmath.mpf(0)
        for j in js:
            t = pmf(j)
            total += t
            if t < total * mpmath.mpf(10) ** -(dps + 10):
                break
        tail = total if upper else 1 - total
        return bool(tail >= mpmath.mpf(alpha.numerator) / alpha.denominator)


@pytest.mark.parametrize("k", [1, 17, 5279, 50000, 89999, 99990])
def test_cp_lower_large_n_brackets_root_at_110_digits(k: int) -> None:
    n, alpha = 100_000, Fraction(1, 10_000)
    B = mp_backend(50)
    rel = Fraction(1, 10**45)
    lo = _exact(cp_lower(k, n, alpha, B).value)
    assert not _mp_tail_ge_exceeds(k, n, lo, alpha)
    assert _mp_tail_ge_exceeds(k, n, lo + 3 * rel * lo, alpha)


def test_certify_rejects_a_bracket_that_misses_the_root() -> None:
    B = mp_backend(50)
    k, n = 5279, 100_000
    alpha = B.num(Fraction(1, 10_000))
    tail = bn._Tail(B, k, n)
    lo = bn._cp_lower_root_mp(B, k, n, Fraction(1, 10_000))  # the root lies in [lo, lo + rel·lo]
    w = lo * B.rel_margin() * (1 + B.num(1e-6))
    p1 = lo * (1 + B.num(1e-15))
    t1, d1, err = tail.eval_err(p1)
    h = tail.h(p1)
    assert tail.certify(p1, t1, d1, err, lo, lo + w, alpha, h)
    assert not tail.certify(p1, t1, d1, err, lo + 2 * w, lo + 3 * w, alpha, h)  # both ends above the root
    assert not tail.certify(p1, t1, d1, err, lo - 2 * w, lo - w, alpha, h)  # both ends below the root


def test_fallback_path_gives_the_same_guarantee(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bn._Tail, "certify", lambda *a, **kw: False)
    B = MpBackend(30)  # a fresh backend: no cached values
    for k, n in [(3, 60), (59, 60), (125, 250)]:
        lo = _exact(cp_lower(k, n, "0.001", B).value)
        assert _tail_ge_exact(k, n, lo) < Fraction(1, 1000)
        assert _tail_ge_exact(k, n, lo + 3 * lo / 10**25) >= Fraction(1, 1000)


def test_fast_path_is_taken_on_real_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    orig = bn._cp_lower_root_fallback

    def spy(*args: object, **kw: object) -> object:
        calls.append(1)
        return orig(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(bn, "_cp_lower_root_fallback", spy)
    B = MpBackend(50)
    rows = [
        list(map(int, ln.split()))
        for ln in realdata("jia_topk_cifar_sigma025_counts.txt").read_text().splitlines()[:15]
        if ln.strip()
    ]
    for row in rows:
        bn.simuem_bounds(row[:10], row[10], "0.001", B)
    assert calls == []


# --------------------------------------------------------------------------------------------------
# top-k root and Φ⁻¹
# --------------------------------------------------------------------------------------------------


def _g100(a: Fraction, b: Fraction, t: int, x: Fraction) -> mpmath.mpf:
    with mpmath.workdps(100):
        A = mpmath.mpf(a.numerator) / a.denominator
        Bv = mpmath.mpf(b.numerator) / b.denominator
        X = mpmath.mpf(x.numerator) / x.denominator
        return mpmath.ncdf(A - X) - mpmath.ncdf(Bv + X) / t


@pytest.mark.parametrize("seed", range(4))
def test_topk_root_brackets_the_root_at_100_digits(seed: int) -> None:
    rng = random.Random(seed)
    B = mp_backend(50)
    tol = _exact(B.tolerance())
    for _ in range(15):
        t = rng.randint(2, 5)
        pl = rng.uniform(0.3, 0.999999)
        ps = rng.uniform(1e-6, min(0.99, t * pl * 0.999))
        a, b = B.phi_inv(B.num(pl)), B.phi_inv(B.num(ps))
        if not ga._g(B, a, b, t, B.zero) > 0:
            continue
        x = ga._root_t(B, a, b, t)
        fa, fb, fx = _exact(a), _exact(b), _exact(x)
        assert _g100(fa, fb, t, fx) > 0
        assert _g100(fa, fb, t, fx + tol) <= 0


def test_topk_fallback_matches_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ga, "_root_t_halley", lambda *a, **kw: None)
    r = topk_radius("0.5", ["0.2", "0.15", "0.1", "0.05"], 3, "0.5", mp_backend(50))
    # docs/theory.md §9 gives 0.353443202630973178…; mpmath.findroot at 60 digits (independent) gives:
    ref = Fraction("0.353443202630973182148845478414082489419679037691800285725551")
    assert ref - Fraction(1, 10**40) < _exact(r) <= ref


def test_phi_inv_matches_mpmath_at_100_digits() -> None:
    B = mp_backend(50)
    rng = random.Random(7)
    ps = [rng.random() for _ in range(60)] + [10 ** -rng.uniform(1, 300) for _ in range(40)]
    ps += [1 - 10 ** -rng.uniform(1, 15) for _ in range(20)]
    for p in ps:
        x = _exact(B.phi_inv(B.num(p)))
        with mpmath.workdps(100):
            ref = mpmath.findroot(lambda y, p=p: mpmath.ncdf(y) - mpmath.mpf(p), mpmath.mpf(float(x)))
            err = abs(mpmath.mpf(x.numerator) / x.denominator - ref) / (1 + abs(ref))
            assert err < mpmath.mpf(10) ** -55, (p, err)


def test_topk_halley_fallback_brackets_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ga, "_root_t_taylor", lambda *a, **kw: None)
    B = mp_backend(50)
    tol = _exact(B.tolerance())
    for pl, ps, t in [(0.5, 0.45, 3), (0.9, 0.3, 2), (0.99, 0.6, 4)]:
        a, b = B.phi_inv(B.num(pl)), B.phi_inv(B.num(ps))
        x = ga._root_t(B, a, b, t)
        fa, fb, fx = _exact(a), _exact(b), _exact(x)
        assert _g100(fa, fb, t, fx) > 0
        assert _g100(fa, fb, t, fx + tol) <= 0


def test_topk_taylor_path_is_taken_and_its_derivative_bound_holds() -> None:
    B = mp_backend(50)
    a, b = B.phi_inv(B.num(0.8)), B.phi_inv(B.num(0.15))
    x0 = B.num(ga._root_t(ga.FLOAT, float(a), float(b), 3))
    assert ga._root_t_taylor(B, a, b, 3, x0) is not None
    # |d⁴φ/du⁴| = |u⁴ - 6u² + 3|·φ(u) <= _M5, checked on a fine grid with mpmath
    with mpmath.workdps(30):
        worst = max(
            abs(u**4 - 6 * u**2 + 3) * mpmath.npdf(u)
            for u in (mpmath.mpf(i) / 1000 for i in range(-12000, 12001))
        )
    assert worst <= ga._M5
