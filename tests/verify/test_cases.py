"""Every case in cases/ through the library API and the CLI, against cases/expected.json.

Expected verdicts come from how scripts/make_cases.py built each case (see the ``why`` field), not from a run
of the verifier.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from audit.cli import main as audit_main
from audit.errors import InputError
from audit.verify.pipeline import VerifyOptions, verify_file

CASES = Path(__file__).resolve().parents[2] / "cases"
KEY = CASES / "keys" / "test-release.pub"
EXPECTED: dict[str, Any] = json.loads((CASES / "expected.json").read_text())


def test_at_least_25_cases() -> None:
    assert len(EXPECTED) >= 25
    for name in EXPECTED:
        assert (CASES / f"{name}.json").is_file(), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_library(name: str) -> None:
    exp = EXPECTED[name]
    path = CASES / f"{name}.json"
    opts = VerifyOptions(trusted_keys=(str(KEY),), workers=1)
    if exp["exit"] == 2 and not exp["structural"]:
        with pytest.raises(InputError):
            verify_file(path, opts)
        return
    rep = verify_file(path, opts)
    assert rep.passed == (exp["exit"] == 0)
    assert rep.exit_code == exp["exit"]
    assert bool(rep.structural_findings()) == exp["structural"]
    assert rep.signature == exp["signature"]
    if exp["verdicts"] is None:
        assert rep.entries == []
        return
    assert [str(e.verdict) for e in rep.entries] == exp["verdicts"]
    for e in rep.entries:  # every verdict is explained
        assert e.explain()
        if not e.passed:
            assert any(f.severity == "error" and f.pointer.startswith("/predicate") for f in e.findings)
    flags = set(exp["flags"])
    inflated = [e for e in rep.entries if str(e.verdict) == "inflated"]
    if "rounding_only" in flags:
        assert inflated and all(e.rounding_only and e.excess_ulps == 1 for e in inflated)
    if "not_rounding_only" in flags:
        assert inflated and not any(e.rounding_only for e in inflated)
    if "counterexample" in flags:
        assert all(e.counterexample is not None for e in inflated)
    if "summary_error" in flags:
        assert any(f.rule == "SA501" for f in rep.findings)
    if "seed_shared" in flags:
        assert any(f.rule == "SA207" and f.severity == "error" for f in rep.findings)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_cli_exit_code(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    exp = EXPECTED[name]
    code = audit_main(["verify", str(CASES / f"{name}.json"), "--key", str(KEY), "--workers", "1", "--json"])
    out, err = capsys.readouterr()
    assert code == exp["exit"], err
    assert "Traceback" not in err
    if code == 2 and not exp["structural"]:
        # unreadable: one line on stderr, and the JSON report still comes, with an error entry for the file
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"audit: error: {CASES / f'{name}.json'}: "), err
        doc = json.loads(out)
        assert doc["passed"] is False and doc["exit_code"] == 2
        (f,) = doc["files"]
        assert f["path"] == str(CASES / f"{name}.json") and f["exit_code"] == 2 and f["entries"] == []
        assert lines[0] == f"audit: error: {f['error']}"
    elif exp["structural"]:
        # one line per self-contradiction, each naming file, entry and field; the JSON keeps every verdict
        lines = err.strip().splitlines()
        bad = [i for i, v in enumerate(exp["verdicts"]) if v == "inconsistent-evidence"]
        assert len(lines) == len(bad) >= 1
        for line, i in zip(lines, bad, strict=True):
            assert line.startswith(f"audit: error: {CASES / f'{name}.json'}: entry {i}: field '"), line
        doc = json.loads(out)
        assert doc["passed"] is False and doc["files"][0]["exit_code"] == 2
        assert [e["verdict"] for e in doc["files"][0]["entries"]] == exp["verdicts"]
    else:
        doc = json.loads(out)
        assert doc["passed"] is (code == 0)


def test_unsigned_passes_only_with_allow_unsigned(capsys: pytest.CaptureFixture[str]) -> None:
    code = audit_main(
        ["verify", str(CASES / "unsigned.json"), "--allow-unsigned", "--workers", "1", "--quiet"]
    )
    assert code == 0
    code = audit_main(["verify", str(CASES / "valid_top1.json"), "--workers", "1", "--quiet"])  # no key
    assert code == 1
