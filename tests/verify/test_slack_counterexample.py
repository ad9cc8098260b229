"""Slack alternatives (L0, Laplace, soft) and the Laplace-binary counterexample, against independent formulas.

Every expected radius is computed in :mod:`independent` (mpmath, docs/theory.md formulas), never by the code.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from independent import DPS, ablation_radius_k1, cp_lower, cp_upper, laplace_cdf, mpf, phi_inv
from verify_builders import entry, predicate, statement

from audit.verify.pipeline import VerifyOptions, verify_statement

ALPHA = Fraction(1, 1000)


def run(pred: dict) -> list:
    return verify_statement(statement(pred), "mem", VerifyOptions(workers=1)).entries


def close_below(got: str | Fraction, want: mpmath.mpf, tol: str) -> bool:
    """``want - tol <= got <= want`` at 60 digits (reported radii are rounded toward zero)."""
    g = Fraction(got)
    with mpmath.workdps(DPS):
        return bool(want - mpmath.mpf(tol) <= mpf(g) <= want)


# --- L0: ablation-topk with SimuEM, slack from BinoCP ------------------------------------------------------


def l0_pred(n: int, counts: list[int]) -> dict:
    p = predicate()
    p["smoothing"].update(family="ablation", sigma=None, keep=50, d=1024, ablated_encoding="zero+mask")
    p["guarantee"].update(norm="l0", radius_method="ablation-topk")
    p["statistics"].update(n=n, interval="simuem", alpha_split=[{"bound": "simuem", "alpha": "0.001"}])
    p["entries"].append(entry(0, 0, "0", counts=counts))
    return p


def test_l0_slack_binocp_radius() -> None:
    n, c = 100, 10
    counts = [n] + [0] * (c - 1)
    # SimuEM: every bound at alpha/c; BinoCP: pl_low at alpha, every other label bounded by 1 - pl_low
    pl_s, up_s = cp_lower(n, n, ALPHA / c), cp_upper(0, n, ALPHA / c)
    r_simuem = ablation_radius_k1(pl_s, up_s, 1024, 50)
    pl_b = cp_lower(n, n, ALPHA)
    r_binocp = ablation_radius_k1(pl_b, 1 - pl_b, 1024, 50)
    assert r_binocp > r_simuem >= 1  # precondition of this case (independent computation)
    (res,) = run(l0_pred(n, counts))
    assert str(res.verdict) == "certified"
    assert Fraction(res.derived) == r_simuem
    assert [s.method for s in res.slack] == ["ablation-topk with binocp at alpha=0.001"]
    assert Fraction(res.slack[0].radius) == r_binocp
    assert any(f.rule == "SA401" for f in res.findings)


def test_l0_no_slack_when_alternative_is_not_larger() -> None:
    n, c = 100, 10
    counts = [n - 40, 40] + [0] * (c - 2)  # a strong runner-up: 1 - pl_low is a poor bound for it
    pl_s, up_s = cp_lower(n - 40, n, ALPHA / c), cp_upper(40, n, ALPHA / c)
    pl_b = cp_lower(n - 40, n, ALPHA)
    r_simuem = ablation_radius_k1(pl_s, up_s, 1024, 50)
    r_binocp = ablation_radius_k1(pl_b, 1 - pl_b, 1024, 50)
    assert r_binocp <= r_simuem
    p = l0_pred(n, counts)
    p["entries"][0]["claim"] = (
        {"abstain": True, "label": None, "radius": None}
        if r_simuem < 0
        else {"abstain": False, "label": 0, "radius": str(r_simuem)}
    )
    (res,) = run(p)
    assert res.slack == []


# --- Laplace: multiclass with CP, slack from the binary bound ----------------------------------------------

LAM = mpmath.mpf("0.5")
LAPLACE_COUNTS = [9900, 100] + [0] * 8
N = 10000


def laplace_pred(method: str, claim: str) -> dict:
    p = predicate()
    p["smoothing"].update(family="laplace", sigma=None, **{"lambda": "0.5"})
    p["guarantee"].update(norm="l1", radius_method=method)
    split = [{"bound": "pA_low", "alpha": "0.001"}]
    if method == "laplace-multiclass":
        split = [{"bound": "pA_low", "alpha": "0.0005"}, {"bound": "pB_up", "alpha": "0.0005"}]
    p["statistics"].update(n=N, alpha_split=split)
    p["entries"].append(entry(0, 0, claim, counts=list(LAPLACE_COUNTS)))
    return p


def laplace_binary_ref() -> tuple[mpmath.mpf, mpmath.mpf]:
    pa = cp_lower(9900, N, ALPHA)
    with mpmath.workdps(DPS):
        return pa, -LAM * mpmath.log(2 * (1 - pa))


def test_laplace_slack_binary_radius() -> None:
    pa, pb = cp_lower(9900, N, ALPHA / 2), cp_upper(100, N, ALPHA / 2)
    with mpmath.workdps(DPS):
        r_multi = max(LAM / 2 * mpmath.log(pa / pb), -LAM * mpmath.log(1 - pa + pb))
    _, r_bin = laplace_binary_ref()
    assert r_bin > r_multi  # precondition
    (res,) = run(laplace_pred("laplace-multiclass", "1"))
    assert str(res.verdict) == "certified"
    assert close_below(res.derived, r_multi, "1e-25")
    assert [s.method for s in res.slack] == ["laplace-binary with cp at alpha=0.001"]
    assert close_below(res.slack[0].radius, r_bin, "1e-7")  # 8 digits, rounded down


# --- soft: Hoeffding stated, empirical Bernstein as slack -----------------------------------------------

SOFT = {"sum": ["9900", "80", "20"], "sumsq": ["9850", "40", "10"], "sidecar": None}
SIGMA = mpmath.mpf("0.25")


def soft_pred(interval: str) -> dict:
    p = predicate()
    p["guarantee"].update(output="soft", radius_method="soft-gaussian")
    p["statistics"].update(
        interval=interval,
        n=N,
        num_classes=3,
        alpha_split=[{"bound": "F_low", "alpha": "0.0005"}, {"bound": "F_up", "alpha": "0.0005"}],
    )
    p["entries"].append(entry(0, 0, "0.1", scores=dict(SOFT)))
    return p


def soft_ref(method: str) -> mpmath.mpf:
    """sigma/2 (PhiInv(F_low) - PhiInv(max F_up)), each bound at alpha/2 (docs/theory.md §2, §6)."""
    with mpmath.workdps(DPS):
        a = mpf(ALPHA / 2)
        bounds = []
        for j, (s, q) in enumerate(zip(SOFT["sum"], SOFT["sumsq"], strict=True)):
            mean = mpf(s) / N
            if method == "hoeffding":
                w = mpmath.sqrt(mpmath.log(1 / a) / (2 * N))
            else:
                var = (mpf(q) - mpf(s) ** 2 / N) / (N - 1)
                lg = mpmath.log(2 / a)
                w = mpmath.sqrt(2 * var * lg / N) + 7 * lg / (3 * (N - 1))
            bounds.append(min(max(mean - w, 0), 1) if j == 0 else min(max(mean + w, 0), 1))
        return SIGMA / 2 * (phi_inv(bounds[0]) - phi_inv(max(bounds[1:])))


@pytest.mark.parametrize(("stated", "alt"), [("hoeffding", "bernstein")])
def test_soft_slack_bernstein_radius(stated: str, alt: str) -> None:
    r_stated, r_alt = soft_ref(stated), soft_ref(alt)
    assert r_alt > r_stated > mpmath.mpf("0.1")  # precondition: low-variance scores favour Bernstein
    (res,) = run(soft_pred(stated))
    assert str(res.verdict) == "certified"
    assert close_below(res.derived, r_stated, "1e-25")
    notes = {s.method: s.radius for s in res.slack}  # other registered methods may add their own
    assert close_below(notes[f"soft-gaussian with {alt} at alpha=0.001"], r_alt, "1e-7")


def test_soft_no_slack_when_hoeffding_is_weaker() -> None:
    assert soft_ref("hoeffding") < soft_ref("bernstein")
    (res,) = run(soft_pred("bernstein"))
    assert str(res.verdict) == "certified"
    assert close_below(res.derived, soft_ref("bernstein"), "1e-25")
    assert not any("hoeffding" in s.method for s in res.slack)


# --- Laplace-binary counterexample --------------------------------------------------------------------------


def test_laplace_binary_counterexample_witness() -> None:
    pa, r = laplace_binary_ref()
    with mpmath.workdps(DPS):
        claimed = Fraction(mpmath.nstr(r * mpmath.mpf("1.1"), 12))
    (res,) = run(laplace_pred("laplace-binary", str(claimed.numerator / claimed.denominator)))
    assert str(res.verdict) == "inflated"
    ce = res.to_json()["counterexample"]  # as reported: probabilities rounded to 20 digits
    assert ce is not None and "z_1 <= t" in ce["construction"]
    assert Fraction(ce["delta_norm"]) == Fraction(res.claimed)
    with mpmath.workdps(DPS):
        # the classifier "label iff z_1 <= t" with t = -lam ln(2(1 - pA_low)) has P = pA_low at x ...
        t = -LAM * mpmath.log(2 * (1 - pa))
        assert abs(laplace_cdf(t, LAM) - pa) < mpmath.mpf("1e-50")
        assert abs(mpf(Fraction(ce["p_label_at_x"])) - pa) < mpmath.mpf("1e-18")
        # ... and at x + delta, delta = (R', 0, ..., 0), the label needs z_1 <= t - R': probability < 1/2
        p_shift = laplace_cdf(t - mpf(Fraction(res.claimed)), LAM)
        assert p_shift < mpmath.mpf("0.5")
        reported = mpf(Fraction(ce["p_label_at_x_plus_delta"]))
        assert p_shift <= reported <= p_shift + mpmath.mpf("1e-18")  # rounded up, 20 digits
    # sampling check of the closed-form Laplace CDF used above (independent of mpmath's algebra)
    rng = np.random.default_rng(1234)
    z = rng.laplace(0.0, 0.5, size=400_000)
    for s, want in ((float(t), float(pa)), (float(t - mpf(Fraction(res.claimed))), float(p_shift))):
        freq = float(np.mean(z <= s))
        assert abs(freq - want) < 5 * np.sqrt(want * (1 - want) / z.size) + 1e-4


def test_no_counterexample_for_a_supported_claim() -> None:
    _, r = laplace_binary_ref()
    with mpmath.workdps(DPS):
        below = mpmath.nstr(r - mpmath.mpf("1e-9"), 15)
    (res,) = run(laplace_pred("laplace-binary", below))
    assert str(res.verdict) == "certified" and res.counterexample is None
