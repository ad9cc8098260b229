"""Population lower bound in the file summary and in policy gates (docs/theory.md §3, population claim).

The expected bound is computed here with mpmath at 60 digits from the plain formula
``(Y - a - sqrt(2 a (1-a) ln(1/rho) / m) - ln(1/rho) / (3 m)) / (1 - a)``, never by the code under test.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
from verify_builders import entry, predicate, statement

from audit.cli import main as audit_main
from audit.format import encode_certificate
from audit.verify.pipeline import VerifyOptions, verify_statement
from audit.verify.policy import parse_policy

M, HITS = 40, 30  # 30 of 40 entries certified at radius 0.5 (the other 10 abstain)


def expected_pop(y: Fraction, alpha: str, rho: str, m: int) -> mpmath.mpf:
    with mpmath.workdps(60):
        a, r = mpmath.mpf(alpha), mpmath.mpf(rho)
        yy = mpmath.mpf(y.numerator) / y.denominator
        lg = mpmath.log(1 / r)
        v = (yy - a - mpmath.sqrt(2 * a * (1 - a) * lg / m) - lg / (3 * m)) / (1 - a)
        return max(v, mpmath.mpf(0))


def within_below(got: Fraction, want: mpmath.mpf) -> bool:
    """``want - 1e-18 <= got <= want`` at 60 digits (the verifier rounds down and prints 20 digits)."""
    with mpmath.workdps(60):
        g = mpmath.mpf(got.numerator) / got.denominator
        return bool(want - mpmath.mpf("1e-18") <= g <= want)


def pred_with(rows: list[dict[str, str | None]]) -> dict:
    p = predicate()
    # counts (99000 of 1e5 on the label) give sigma * PhiInv(CP lower) = 0.25 * 2.29... > 0.5
    counts = [99000, 500, 500] + [0] * 7
    for i in range(M):
        p["entries"].append(entry(i, 0, "0.5" if i < HITS else None, counts=counts))
    p["summary"]["certified_accuracy"] = rows
    return p


def gate_policy(minimum: str, rho: str = "0.001", norm: str = "l2"):
    gate = {"name": "pop", "metric": "population_lower", "norm": norm, "radius": "0.5", "min": minimum}
    return parse_policy({"gates": [{**gate, "rho": rho}]})


def test_summary_shows_population_bound_with_rho_used() -> None:
    rows = [
        {"radius": "0.5", "claimed": "0.75", "population_lower": None, "rho": None},
        {"radius": "0.5", "claimed": "0.75", "population_lower": "0.5", "rho": "0.01"},
        {"radius": "0.6", "claimed": "0", "population_lower": None, "rho": None},
    ]
    rep = verify_statement(statement(pred_with(rows)), "mem", VerifyOptions(workers=1))
    assert [str(e.verdict) for e in rep.entries] == ["certified"] * HITS + ["abstained"] * (M - HITS)
    r0, r1, r2 = rep.summary
    assert (r0.rho, r0.rho_source, r1.rho, r1.rho_source) == ("0.001", "default", "0.01", "certificate")
    for row, rho in ((r0, "0.001"), (r1, "0.01")):
        assert Fraction(row.rederived) == Fraction(HITS, M)
        want = expected_pop(Fraction(HITS, M), "0.001", rho, M)
        assert row.population_lower is not None
        assert within_below(Fraction(row.population_lower), want)  # rounded down, 20 digits shown
    assert r2.population_lower == "0"  # nothing certified at 0.6 (claims are 0.5): the bound clips at 0
    assert not any(f.rule == "SA501" for f in rep.findings)  # 0.5 <= supported bound (~0.67 at rho=0.01)
    doc = rep.to_json()["summary"][0]
    assert doc["rho"] == "0.001" and doc["rho_source"] == "default"


def test_claimed_population_bound_above_supported_is_flagged() -> None:
    want = expected_pop(Fraction(HITS, M), "0.001", "0.01", M)
    too_high = mpmath.nstr(want + mpmath.mpf("1e-6"), 12)
    rows = [{"radius": "0.5", "claimed": "0.75", "population_lower": too_high, "rho": "0.01"}]
    rep = verify_statement(statement(pred_with(rows)), "mem", VerifyOptions(workers=1))
    assert any(f.rule == "SA501" and f.pointer.endswith("/population_lower") for f in rep.findings)
    assert not rep.passed


@pytest.mark.parametrize("rho", ["0.001", "0.05"])
def test_population_gate_pass_and_fail_at_the_exact_bound(rho: str) -> None:
    want = expected_pop(Fraction(HITS, M), "0.001", rho, M)
    assert 0.40 < want < 0.80
    st = statement(pred_with([]))
    below = mpmath.nstr(want - mpmath.mpf("1e-15"), 30, strip_zeros=False)
    above = mpmath.nstr(want + mpmath.mpf("1e-15"), 30, strip_zeros=False)
    for minimum, ok in (("0.40", True), (below, True), (above, False), ("0.80", False)):
        rep = verify_statement(st, "mem", VerifyOptions(workers=1, policy=gate_policy(minimum, rho)))
        (g,) = rep.gates
        assert g.passed is ok, (minimum, g.message)
        assert rep.passed is ok
        assert f"rho={rho}" in g.message
        assert g.value is not None
        assert within_below(Fraction(g.value), want)


def test_population_gate_for_another_norm_fails() -> None:
    rep = verify_statement(
        statement(pred_with([])), "mem", VerifyOptions(workers=1, policy=gate_policy("0.1", norm="l1"))
    )
    assert not rep.gates[0].passed and "l1" in rep.gates[0].message


def test_population_gate_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert = tmp_path / "c.json"
    cert.write_bytes(encode_certificate(statement(pred_with([])), None))
    for minimum, code_want in (("0.40", 0), ("0.70", 1)):  # bound ~0.673 at rho = 0.001
        pol = tmp_path / f"p{minimum}.toml"
        pol.write_text(
            '[[gates]]\nname = "population certified accuracy at L2 0.5"\nmetric = "population_lower"\n'
            f'norm = "l2"\nradius = "0.5"\nmin = "{minimum}"\nrho = "0.001"\n'
        )
        argv = ["verify", str(cert), "--allow-unsigned", "--policy", str(pol), "--workers", "1", "--json"]
        code = audit_main(argv)
        out = capsys.readouterr()
        assert code == code_want, out.err
        gate = json.loads(out.out)["files"][0]["gates"][0]
        assert gate["passed"] is (code_want == 0)
        assert "rho=0.001" in gate["message"]
