"""Structural (self-contradicting) documents: exit code 2 with located lines; non-structural stays exit 1."""

from __future__ import annotations

import json
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


def _ablation(d: int, shape: list[int] | None) -> dict:
    # the counts and claim of cases/valid_l0.json (certified at d = 1024, keep = 50, simuem, alpha 0.001)
    p = predicate()
    p["smoothing"].update(family="ablation", sigma=None, keep=50, d=d, ablated_encoding="zero+mask")
    p["smoothing"]["input_space"] = None if shape is None else {"shape": shape, "low": "0", "high": "1"}
    p["guarantee"].update(norm="l0", radius_method="ablation-topk")
    p["statistics"].update(interval="simuem", alpha_split=[{"bound": "simuem", "alpha": "0.001"}])
    counts = [2, 2, 334, 93642, 2, 5279, 737, 0, 2, 0]
    p["entries"] = [entry(i, 3, "11", counts=list(counts)) for i in range(2)]
    return p


@pytest.mark.parametrize(
    ("d", "shape", "want"),
    [
        (1024, [1, 32, 32], 0),  # d = H*W pixels
        (1024, None, 0),  # no input space recorded (imported): nothing to compare
        (2048, [1, 32, 32], 2),  # re-signed with d doubled: the radius would be computed for another d
        (3072, [3, 32, 32], 2),  # C*H*W coordinates is the gaussian rule, not the ablation one
    ],
)
def test_ablation_d_against_input_shape(
    d: int, shape: list[int] | None, want: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(encode_certificate(statement(_ablation(d, shape)), None))
    code = audit_main(["verify", str(path), "--allow-unsigned", "--workers", "1", "--json"])
    out, err = capsys.readouterr()
    assert code == want, err
    doc = json.loads(out)["files"][0]
    if want == 0:
        assert [e["verdict"] for e in doc["entries"]] == ["certified", "certified"]
        return
    assert err.strip().splitlines() == [
        f"audit: error: {path}: field 'smoothing.d': d={d} does not match input_space.shape {shape}: "
        f"ablation needs d=1024 (H*W pixels)"
    ]
    (f,) = [f for f in doc["findings"] if f["severity"] == "error"]  # besides SA002 unsigned (a warning)
    assert (f["rule"], f["structural"], f["data"]["field"]) == ("SA109", True, "smoothing.d")
    assert all(not e["passed"] for e in doc["entries"])  # nothing is re-derived with a contradicted d
