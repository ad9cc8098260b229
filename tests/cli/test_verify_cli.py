"""``audit verify`` options and outputs: report paths, --precision bounds, unreadable files among good ones.

Reference values come from cases/expected.json (how each case was built) and from the documented exit codes:
0 pass, 1 verification failure, 2 usage error or unreadable input (one line on stderr, no traceback).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from audit.cli import main as audit_main
from audit.errors import InputError
from audit.reports import write_text_atomic

CASES = Path(__file__).resolve().parents[2] / "cases"
KEY = str(CASES / "keys" / "test-release.pub")
GOOD = str(CASES / "valid_top1.json")
EXPECTED = json.loads((CASES / "expected.json").read_text())
GOOD_VERDICTS = EXPECTED["valid_top1"]["verdicts"]


def _audit_cmd() -> list[str]:
    exe = shutil.which("audit")
    return [exe] if exe else [sys.executable, "-m", "audit.cli"]


def _verify(*args: str) -> list[str]:
    return ["verify", *args, "--key", KEY, "--workers", "1"]


# --- report paths that cannot be written: exit 2, one line naming the file, checked before verifying --------


def test_junit_in_missing_directory_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "nonexistent" / "x.xml"
    code = audit_main(_verify(GOOD, "--junit", str(target), "--json"))
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == [
        f"audit: error: {target}: cannot write the --junit report: directory {target.parent} does not exist"
    ]
    assert out == ""  # refused before anything was verified: no report half-written
    assert not target.parent.exists()


def test_sarif_onto_a_directory_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = audit_main(_verify(GOOD, "--sarif", str(tmp_path), "--quiet"))
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"audit: error: {tmp_path}: cannot write the --sarif report: is a directory"
    ]
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_unwritable_report_path_subprocess_has_no_traceback(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.xml"
    proc = subprocess.run(
        [*_audit_cmd(), *_verify(GOOD, "--junit", str(target))], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"audit: error: {target}: ")


def test_write_text_atomic_errors_name_the_file(tmp_path: Path) -> None:
    target = tmp_path / "gone" / "r.sarif"
    with pytest.raises(InputError) as exc:
        write_text_atomic(target, "{}")
    assert exc.value.file == str(target) and exc.value.exit_code == 2
    with pytest.raises(InputError) as exc:
        write_text_atomic(tmp_path, "{}")  # a directory
    assert exc.value.file == str(tmp_path)
    ok = tmp_path / "r.json"
    write_text_atomic(ok, "é\n")
    assert ok.read_bytes() == "é\n".encode()


# --- --precision: 20..2000 digits; 0 is a value like any other, not "unset" ---------------------------------


@pytest.mark.parametrize("value", ["0", "5", "19", "-1", "2001"])
def test_precision_out_of_range_is_refused(value: str, capsys: pytest.CaptureFixture) -> None:
    code = audit_main(_verify(GOOD, "--precision", value, "--json"))
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip() == "audit: error: --precision must be between 20 and 2000 digits"
    assert out == ""


def test_precision_zero_does_not_fall_back_to_the_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text("[verify]\nprecision = 60\n")
    code = audit_main(_verify(GOOD, "--policy", str(policy), "--precision", "0", "--json"))
    assert code == 2
    assert "--precision must be between 20 and 2000" in capsys.readouterr().err
    code = audit_main(_verify(GOOD, "--policy", str(policy), "--json", "--quiet"))
    assert code == 0
    assert json.loads(capsys.readouterr().out)["files"][0]["precision_digits"] == 60


def test_precision_bounds_are_accepted(capsys: pytest.CaptureFixture) -> None:
    code = audit_main(_verify(GOOD, "--precision", "20", "--json", "--quiet"))
    assert code == 0
    assert json.loads(capsys.readouterr().out)["files"][0]["precision_digits"] == 20


# --- unreadable files among good ones: the JSON report still comes, with an error entry per bad file --------


@pytest.fixture
def mixed(tmp_path: Path) -> list[str]:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    return [str(empty), GOOD, str(tmp_path / "missing.json"), str(CASES / "truncated.json")]


def test_json_report_keeps_good_files_and_lists_unreadable_ones(
    mixed: list[str], capsys: pytest.CaptureFixture
) -> None:
    code = audit_main(_verify(*mixed, "--json"))
    out, err = capsys.readouterr()
    assert code == 2  # input error dominates the good file's pass
    doc = json.loads(out)
    assert doc["exit_code"] == 2 and doc["passed"] is False
    assert [f["path"] for f in doc["files"]] == mixed  # every file, in command-line order
    bad = [f for f in doc["files"] if f["path"] != GOOD]
    good = next(f for f in doc["files"] if f["path"] == GOOD)
    assert "error" not in good and good["passed"] is True and good["exit_code"] == 0
    assert [e["verdict"] for e in good["entries"]] == GOOD_VERDICTS
    for f in bad:
        assert f["passed"] is False and f["exit_code"] == 2 and f["entries"] == []
        assert f["error"].startswith(f"{f['path']}: ")
    assert [f["error"][len(f["path"]) + 2 :].split(":")[0] for f in bad] == [
        "certificate envelope is not valid JSON",  # empty file
        "file not found",
        "certificate envelope is not valid JSON",  # cut short
    ]
    # stderr: one line per unreadable file (the same text as the JSON error), then the good file's table
    lines = err.splitlines()
    assert [ln for ln in lines if ln.startswith("audit: error: ")] == [
        f"audit: error: {f['error']}" for f in bad
    ]
    assert any(ln.startswith(f"PASS {GOOD}") for ln in lines)


def test_junit_and_sarif_carry_unreadable_files(
    mixed: list[str], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    junit, sarif = tmp_path / "r.xml", tmp_path / "r.sarif"
    code = audit_main(_verify(*mixed, "--junit", str(junit), "--sarif", str(sarif), "--quiet"))
    capsys.readouterr()
    assert code == 2
    root = ET.parse(junit).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == mixed
    assert root.get("errors") == "3" and root.get("failures") == "0"
    for path in mixed:
        if path == GOOD:
            assert suites[path].get("errors") == "0"
            assert len(suites[path].findall("testcase")) == 1 + len(GOOD_VERDICTS)
            continue
        (case,) = suites[path].findall("testcase")
        error = case.find("error")
        assert error is not None and error.get("message", "").startswith(f"{path}: ")
    run = json.loads(sarif.read_text())["runs"][0]
    (inv,) = run["invocations"]
    assert inv["executionSuccessful"] is False
    uris = [
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for n in inv["toolExecutionNotifications"]
    ]
    assert uris == [p for p in mixed if p != GOOD]
    assert all(n["level"] == "error" for n in inv["toolExecutionNotifications"])


def test_only_good_files_keep_the_old_outputs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sarif = tmp_path / "r.sarif"
    code = audit_main(_verify(GOOD, "--json", "--quiet", "--sarif", str(sarif)))
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert "error" not in doc["files"][0]
    assert "invocations" not in json.loads(sarif.read_text())["runs"][0]


def test_bad_key_or_model_is_one_error_before_any_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # these concern every file: refused once, up front, not repeated as an error entry per certificate
    missing_key = tmp_path / "nokey.pub"
    code = audit_main(["verify", GOOD, GOOD, "--key", str(missing_key), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(missing_key) in err
    missing_model = tmp_path / "m.safetensors"
    code = audit_main(_verify(GOOD, GOOD, "--model", str(missing_model), "--json"))
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"audit: error: {missing_model}: model file not found"]
