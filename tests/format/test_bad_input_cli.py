"""Bad input through ``audit verify``: exit code 2 and a one-line message, no traceback.

Runs every case in-process (``audit.cli.main``) and as a subprocess of the installed ``audit`` script.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bad_inputs import CASES, counts_not_summing

from audit.cli import main as audit_main


def _audit_cmd() -> list[str]:
    exe = shutil.which("audit")
    return [exe] if exe else [sys.executable, "-m", "audit.cli"]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    files = {}
    for name, (write, _where) in CASES.items():
        files[name] = d / f"{name}.json"
        write(files[name])
    return files


@pytest.mark.parametrize("name", sorted(CASES))
def test_in_process_exit_2_one_line(
    name: str, bad_files: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    path = bad_files[name]
    code = audit_main(["verify", str(path), "--allow-unsigned"])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("audit: error: ") and str(path) in lines[0]
    assert CASES[name][1] in lines[0]


# One subprocess per category the issue lists (each costs an interpreter start-up); all cases run in-process.
SUBPROCESS_CASES = [
    "truncated",
    "not-json",
    "nan-in-payload",
    "wrong-type-count",
    "missing-field",
    "huge-number",
    "deep-payload",
    "sparse-300MiB",
]


def test_subprocess_exit_2_one_line_each(bad_files: dict[str, Path]) -> None:
    failures = []
    for name in SUBPROCESS_CASES:
        proc = subprocess.run(
            [*_audit_cmd(), "verify", str(bad_files[name]), "--allow-unsigned"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = proc.stderr.strip().splitlines()
        if proc.returncode != 2 or "Traceback" in proc.stderr or len(lines) != 1:
            failures.append((name, proc.returncode, proc.stderr[-300:]))
    assert failures == []


def test_counts_not_summing_exits_2_naming_file_entry_field(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    # Schema-valid but self-contradictory evidence (entry 0's counts add up to 101, n = 100): exit 2 with one
    # line naming file, entry and field, no traceback; the JSON report still carries the entry's verdict.
    path = tmp_path / "c.json"
    path.write_bytes(counts_not_summing())
    code = audit_main(["verify", str(path), "--allow-unsigned", "--json"])
    out = capsys.readouterr()
    assert code == 2, out.err
    assert "Traceback" not in out.err
    lines = out.err.strip().splitlines()
    assert lines == [f"audit: error: {path}: entry 0: field 'counts': counts add up to 101, expected n=100"]
    doc = json.loads(out.out)
    assert doc["exit_code"] == 2
    assert doc["files"][0]["entries"][0]["verdict"] == "inconsistent-evidence"


def test_counts_not_summing_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(counts_not_summing())
    proc = subprocess.run(
        [*_audit_cmd(), "verify", str(path), "--allow-unsigned"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"audit: error: {path}: entry 0: field 'counts': counts add up to 101, expected n=100"
    ]
