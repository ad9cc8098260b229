"""derive(): α split per (radius_method, interval), bound names, refusals, float vs mp."""

from __future__ import annotations

from fractions import Fraction

import pytest

from audit.errors import UsageError
from audit.theory import (
    FLOAT,
    CertificationSpec,
    Evidence,
    alpha_split,
    cp_lower,
    cp_upper,
    derive,
    mp_backend,
    reuse_failure_bound,
)

B = mp_backend(50)
COUNTS = (2, 2, 334, 93642, 2, 5279, 737, 0, 2, 0)


def test_alpha_split_adds_up_and_matches_bounds() -> None:
    cases = [
        ("gaussian", "cohen", "cp", 1),
        ("gaussian", "cohen-two-bound", "cp", 1),
        ("gaussian", "cohen-two-bound", "simuem", 1),
        ("gaussian", "topk", "simuem", 3),
        ("gaussian", "topk", "binocp", 3),
        ("laplace", "laplace-multiclass", "cp", 1),
        ("laplace", "laplace-binary", "cp", 1),
    ]
    for fam, rm, iv, k in cases:
        spec = CertificationSpec(
            family=fam,
            radius_method=rm,
            interval=iv,
            alpha="0.001",
            k=k,
            sigma="0.25",
            lam="0.5",
            num_classes=10,
        )
        split = alpha_split(spec, 10, 3)
        assert sum(a for _, a in split) == Fraction(1, 1000), (rm, iv)
        der = derive(spec, Evidence(3, 100000, COUNTS), B)
        assert der.alpha_split == tuple(split)
        for name, _ in split:
            assert name in der.bounds, (rm, iv, name)


def test_cohen_two_bound_cp_uses_half_alpha_each() -> None:
    spec = CertificationSpec(
        family="gaussian", radius_method="cohen-two-bound", interval="cp", alpha="0.001", sigma="0.25"
    )
    der = derive(spec, Evidence(3, 100000, COUNTS), B)
    assert der.bounds["pA_low"] == cp_lower(93642, 100000, Fraction(1, 2000), B).value
    assert der.bounds["pB_up"] == cp_upper(5279, 100000, Fraction(1, 2000), B).value


def test_refusals() -> None:
    with pytest.raises(UsageError):
        CertificationSpec(
            family="gaussian", radius_method="topk", interval="cp", alpha="0.001", k=3, sigma="0.25"
        )
    with pytest.raises(UsageError):
        CertificationSpec(
            family="gaussian", radius_method="cohen", interval="goodman", alpha="0.001", sigma="0.25"
        )
    with pytest.raises(UsageError):
        CertificationSpec(family="laplace", radius_method="cohen", interval="cp", alpha="0.001", sigma="0.25")
    with pytest.raises(UsageError):
        CertificationSpec(family="gaussian", radius_method="cohen", interval="cp", alpha="1.5", sigma="0.25")
    spec = CertificationSpec(
        family="gaussian", radius_method="cohen", interval="cp", alpha="0.001", sigma="0.25"
    )
    with pytest.raises(UsageError):
        derive(spec, Evidence(0, 100, (50, 49)), B)  # counts do not add up to n


def test_abstain_and_float_not_above_mp() -> None:
    spec = CertificationSpec(
        family="gaussian", radius_method="cohen", interval="cp", alpha="0.001", sigma="0.5"
    )
    assert derive(spec, Evidence(0, 1000, (500, 500)), B).radius is None
    for c in (600, 900, 999, 1000):
        m = derive(spec, Evidence(0, 1000, (c, 1000 - c)), B).radius
        f = derive(spec, Evidence(0, 1000, (c, 1000 - c)), FLOAT).radius
        assert Fraction(f) <= B.to_fraction(m)


def test_ablation_derive_integer_radius() -> None:
    abl = {"family": "ablation", "radius_method": "ablation-topk", "interval": "simuem", "alpha": "0.001"}
    spec = CertificationSpec(**abl, k=1, d=1024, keep=50)
    der = derive(spec, Evidence(0, 100000, (99000, 1000)), B)
    assert isinstance(der.radius, int) and der.radius > 0
    assert derive(spec, Evidence(0, 100000, (99000, 1000)), FLOAT).radius <= der.radius


def test_reuse_failure_bound() -> None:
    assert reuse_failure_bound("0.001", 10) == Fraction(1, 100)
    assert reuse_failure_bound("0.01", 1000) == 1
