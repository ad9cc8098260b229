"""Structural (self-contradicting) documents: exit code 2 with located lines; non-structural stays exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from verify_builders import entry, predicate, statement

from audit.cli import main as audit_main
from audit.format import encode_certificate
from audit.verify.pipeline import VerifyOptions, verify_statement

COUNTS = [99000, 500, 500] + [0] * 7


def base() -> dict:
    p = predicate()
    p["entries"] = [entry(i, 0, "0.5", counts=list(COUNTS)) for i in range(3)]
    return p


def test_alpha_part_outside_unit_interval_is_structural() -> None:
    p = base()
    p["statistics"]["alpha_split"] = [{"bound": "pA_low", "alpha": "0.001"}, {"bound": "pad", "alpha": "0"}]
    rep = verify_statement(statement(p), "mem", VerifyOptions(workers=1))
    (f,) = rep.structural_findings()
    assert f.rule == "SA109" and f.data["field"] == "statistics.alpha_split[1].alpha"
    assert rep.exit_code == 2 and not rep.passed


@pytest.mark.parametrize(
    ("edit", "field", "entry_index"),
    [
        (lambda p: p["entries"][1]["counts"].__setitem__(0, 98999), "counts", 1),
        (lambda p: p["entries"][2]["counts"].append(0), "counts", 2),
        (lambda p: p["entries"][0]["claim"].__setitem__("label", 10), "claim.label", 0),
        (lambda p: p["entries"][0].__setitem__("true_label", 11), "true_label", 0),
    ],
)
def test_structural_entry_problem_exit_2(
    edit, field: str, entry_index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = base()
    edit(p)
    path = tmp_path / "c.json"
    path.write_bytes(encode_certificate(statement(p), None))
    code = audit_main(["verify", str(path), "--allow-unsigned", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"audit: error: {path}: entry {entry_index}: field '{field}': ")


def test_selection_counts_not_summing_to_n0(tmp_path: Path) -> None:
    p = base()
    p["statistics"].update(selection="separate-draw", n0=100)
    for e in p["entries"]:
        e["selection_counts"] = [100] + [0] * 9
    p["entries"][2]["selection_counts"][1] = 3
    rep = verify_statement(statement(p), "mem", VerifyOptions(workers=1))
    (f,) = rep.structural_findings()
    assert (f.entry, f.data["field"], f.rule) == (2, "selection_counts", "SA103")
    assert f.location_line("x.json").startswith("x.json: entry 2: field 'selection_counts': ")
    assert [str(e.verdict) for e in rep.entries] == ["certified", "certified", "inconsistent-evidence"]


def test_duplicate_input_is_not_structural(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = base()
    p["entries"][2]["input_sha256"] = p["entries"][0]["input_sha256"]
    path = tmp_path / "c.json"
    path.write_bytes(encode_certificate(statement(p), None))
    code = audit_main(["verify", str(path), "--allow-unsigned", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "FAIL" in err  # the table, not an error line


def test_multiple_files_worst_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(encode_certificate(statement(base()), None))
    p = base()
    p["entries"][0]["counts"][0] += 1
    bad.write_bytes(encode_certificate(statement(p), None))
    code = audit_main(["verify", str(good), str(bad), "--allow-unsigned", "--workers", "1"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and str(bad) in lines[0]
