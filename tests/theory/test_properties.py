"""Property tests (hypothesis): reductions, monotonicity, float path vs mp path."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from audit.theory import (
    FLOAT,
    ablation_radius,
    cohen_radius,
    laplace_radius,
    lecuyer_radius,
    levine_feizi_radius,
    mp_backend,
    topk_radius,
)

B = mp_backend(50)
prob = st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(999, 1000), max_denominator=10**6)
sigma = st.sampled_from([Fraction(1, 8), Fraction(1, 4), Fraction(1, 2), Fraction(1)])
SET = settings(max_examples=40, deadline=None)


def _fr(x) -> Fraction:
    return B.to_fraction(x) if not isinstance(x, float) else Fraction(x)


@SET
@given(pl=prob, ups=st.lists(prob, min_size=1, max_size=5), s=sigma)
def test_topk_k1_equals_cohen_two_bound(pl: Fraction, ups: list[Fraction], s: Fraction) -> None:
    a = topk_radius(pl, ups, 1, s, B)
    b = cohen_radius(pl, s, min(max(ups), 1 - pl), B)
    assert (a is None) == (b is None)
    if a is not None:
        assert abs(_fr(a) - _fr(b)) < Fraction(1, 10**40)


@SET
@given(pl=prob, ups=st.lists(prob, min_size=3, max_size=5), s=sigma, d=prob, k=st.integers(1, 3))
def test_topk_monotone_in_bounds(pl: Fraction, ups: list[Fraction], s: Fraction, d: Fraction, k: int) -> None:
    base = topk_radius(pl, ups, k, s, FLOAT)
    higher_pl = topk_radius(min(pl + d / 10, Fraction(999, 1000)), ups, k, s, FLOAT)
    lower_up = topk_radius(pl, [u * (1 - d / 10) for u in ups], k, s, FLOAT)
    r0 = -1.0 if base is None else base
    assert (-1.0 if higher_pl is None else higher_pl) >= r0 - 1e-12
    assert (-1.0 if lower_up is None else lower_up) >= r0 - 1e-12


@SET
@given(pa=prob, pb=prob, s=sigma)
def test_cohen_float_within_1e12_and_never_above(pa: Fraction, pb: Fraction, s: Fraction) -> None:
    for extra in (None, pb):
        f = cohen_radius(pa, s, extra, FLOAT)
        m = cohen_radius(pa, s, extra, B)
        if m is None:
            assert f is None
            continue
        if f is None:  # float may abstain only when the exact radius is tiny
            assert _fr(m) < Fraction(1, 10**12)
            continue
        assert Fraction(f) <= _fr(m)
        assert _fr(m) - Fraction(f) < Fraction(1, 10**12)


@SET
@given(pl=prob, ups=st.lists(prob, min_size=1, max_size=4), s=sigma, k=st.integers(1, 3))
def test_topk_float_within_1e12_and_never_above(
    pl: Fraction, ups: list[Fraction], s: Fraction, k: int
) -> None:
    f = topk_radius(pl, ups, k, s, FLOAT)
    m = topk_radius(pl, ups, k, s, B)
    if m is None:
        assert f is None
        return
    if f is None:
        assert _fr(m) < Fraction(1, 10**12)
        return
    assert Fraction(f) <= _fr(m)
    assert _fr(m) - Fraction(f) < Fraction(1, 10**12)


@SET
@given(pa=prob, pb=prob, lam=sigma)
def test_laplace_thm1_at_least_lecuyer_and_float_below(pa: Fraction, pb: Fraction, lam: Fraction) -> None:
    t1 = laplace_radius(pa, pb, lam, B)
    lec = lecuyer_radius(pa, pb, lam, B)
    if lec is not None:
        assert t1 is not None and _fr(t1) >= _fr(lec)
    f = laplace_radius(pa, pb, lam, FLOAT)
    if t1 is not None and f is not None:
        assert Fraction(f) <= _fr(t1)
        assert _fr(t1) - Fraction(f) < Fraction(1, 10**12)


@SET
@given(
    pl=st.fractions(Fraction(1, 2), Fraction(999, 1000), max_denominator=10**5),
    ups=st.lists(st.fractions(Fraction(0), Fraction(1, 2), max_denominator=10**5), min_size=1, max_size=4),
    k=st.integers(1, 3),
)
def test_l0_rounded_at_least_levine_feizi(pl: Fraction, ups: list[Fraction], k: int) -> None:
    assume(max(ups) > 0)
    lf = levine_feizi_radius(pl, max(ups), 1024, 50)
    r1 = ablation_radius(pl, ups, 1, 1024, 50)
    if lf is not None:
        assert r1 is not None and r1 >= lf
    rk = ablation_radius(pl, ups, k, 1024, 50)
    if r1 is not None:  # top-k is a weaker claim: never a smaller radius
        assert rk is not None and rk >= r1
