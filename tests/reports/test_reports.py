"""JUnit and SARIF writers: one case per entry and gate, stable rule ids, locations for every result."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from audit.cli import main as audit_main
from audit.verify.verdicts import Rule

CASES = Path(__file__).resolve().parents[2] / "cases"
KEY = str(CASES / "keys" / "test-release.pub")


def test_junit_and_sarif_for_a_failing_case(tmp_path: Path) -> None:
    junit, sarif, policy = tmp_path / "r.xml", tmp_path / "r.sarif", tmp_path / "p.toml"
    policy.write_text('[[gates]]\nname = "acc"\nmetric = "rederived"\nradius = "0.25"\nmin = "0.99"\n')
    code = audit_main(
        [
            "verify",
            str(CASES / "counts_not_summing.json"),
            "--key",
            KEY,
            "--policy",
            str(policy),
            "--junit",
            str(junit),
            "--sarif",
            str(sarif),
            "--quiet",
            "--workers",
            "1",
        ]
    )
    assert code == 2  # structural (counts contradict n); JUnit and SARIF still carry the verdicts
    root = ET.parse(junit).getroot()
    cases = root.findall(".//testcase")
    n_entries = 12
    assert len(cases) == 1 + n_entries + 1  # file checks, entries, one gate
    failed = [c for c in cases if c.find("failure") is not None]
    names = {c.get("name") for c in failed}
    assert "entry 1 (case:1)" in names and "acc" in names
    doc = json.loads(sarif.read_text())
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [str(r) for r in Rule]
    results = run["results"]
    assert any(r["ruleId"] == "SA101" and r["level"] == "error" for r in results)
    for r in results:
        loc = r["locations"][0]
        assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("counts_not_summing.json")
        assert loc["logicalLocations"][0]["fullyQualifiedName"].startswith("/")
    bad = next(r for r in results if r["ruleId"] == "SA101")
    assert bad["properties"]["jsonPointer"] == "/predicate/entries/1/counts"


def test_gate_pass_and_fail(tmp_path: Path) -> None:
    # valid_top1 contains abstaining entries (by construction), so accuracy at radius 0 is < 1 and >= 0
    stmt = CASES / "valid_top1.json"
    for minimum, want in (("0", 0), ("1", 1)):
        policy = tmp_path / f"p{minimum}.toml"
        policy.write_text(
            f'[statistics]\nmax_alpha = "0.001"\nmin_n = 1000\n'
            f'[[gates]]\nmetric = "rederived"\nradius = "0"\nmin = "{minimum}"\n'
        )
        code = audit_main(
            ["verify", str(stmt), "--key", KEY, "--policy", str(policy), "--quiet", "--workers", "1"]
        )
        assert code == want


def test_policy_limits_fail(tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('[statistics]\nmin_n = 1000000\nallowed_intervals = ["simuem"]\n')
    code = audit_main(
        ["verify", str(CASES / "valid_top1.json"), "--key", KEY, "--policy", str(policy), "--json", "--quiet"]
    )
    assert code == 1


def test_the_streamed_json_report_is_the_plain_dump(tmp_path: Path) -> None:
    """write_json streams entry by entry; its text is exactly json.dumps(report_dict, indent=2)."""
    from audit.reports.json_report import render_json, report_dict
    from audit.verify.pipeline import VerifyOptions, verify_file
    from audit.verify.verdicts import FileReport

    cases = Path(__file__).resolve().parents[2] / "cases"
    opts = VerifyOptions(allow_unsigned=True, workers=1, slack=True)
    reports = [
        verify_file(cases / n, opts) for n in ("valid_top1.json", "inflated_10pct.json", "valid_soft.json")
    ]
    reports.append(FileReport.unreadable("missing.json", "missing.json: file not found"))
    for subset in (reports, reports[:1], reports[3:], []):
        want = json.dumps(report_dict(subset), indent=2, sort_keys=False, allow_nan=False) + "\n"
        assert render_json(subset) == want
