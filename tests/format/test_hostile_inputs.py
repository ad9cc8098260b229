"""Hostile and careless inputs (issue: no traceback, no hang, no unbounded read, well-formed reports).

Each test reproduces one reported defect through the CLI, in-process, with a deadline: a command that blocks
(a FIFO opened for reading waits for a writer) fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from harness import ROOT, one_error_line, run_cli, signed_sample

from audit.cli import main as audit_main

CASES = ROOT / "cases"
PUB = str(CASES / "keys" / "test-release.pub")


def signed(tmp_path: Path, name: str, mutate: Callable[[dict[str, Any]], None]) -> Path:
    return signed_sample(tmp_path / f"{name}.json", mutate)


# --- tracebacks ---------------------------------------------------------------------------------------------


def test_a_claim_of_1e999_is_inflated_not_an_overflow(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cert = signed(tmp_path, "huge", lambda p: p["entries"][0]["claim"].update(radius="1e999"))
    code = run_cli(["verify", str(cert), "--key", PUB, "--workers", "1", "--json", "--quiet"])
    entry = json.loads(capsys.readouterr().out)["files"][0]["entries"][0]
    assert code == 1
    assert entry["verdict"] == "inflated"
    assert entry["excess_ulps"] is None  # no float64 is that large: "ulps" mean nothing
    assert "counterexample" in entry  # the half-space witness at distance 1e999


def test_a_lone_surrogate_id_is_bad_input_and_every_report_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cert = signed(tmp_path, "surrogate", lambda p: p["entries"][0].update(id="\ud800"))
    junit, sarif = tmp_path / "r.xml", tmp_path / "r.sarif"
    argv = ["verify", str(cert), "--key", PUB, "--json", "--junit", str(junit), "--sarif", str(sarif)]
    code = run_cli(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert "lone surrogate" in one_error_line(err)
    assert json.loads(out)["passed"] is False
    ET.parse(junit)
    json.loads(sarif.read_text(encoding="utf-8"))


# --- reports and terminal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry_id", ["a\x00b", "esc\x1b[31mred", "bell\x07", "bidi\u202eevil", "nl\nx"])
def test_control_characters_in_ids_never_reach_the_terminal_or_break_junit(
    entry_id: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cert = signed(tmp_path, "ctl", lambda p: p["entries"][0].update(id=entry_id))
    junit = tmp_path / "r.xml"
    code = run_cli(["verify", str(cert), "--key", PUB, "--workers", "1", "--junit", str(junit)])
    err = capsys.readouterr().err
    assert code == 1  # the sample's first claim is inflated: the file fails, it is not refused
    controls = [c for c in entry_id if not c.isprintable()]
    assert not any(c in err for c in controls if c != "\n"), repr(err)
    for c in controls:  # each is shown as a visible escape instead
        assert (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}") in err
    root = ET.parse(junit).getroot()  # well-formed XML 1.0
    names = [c.get("name") for c in root.iter("testcase")]
    assert any(n and n.startswith("entry 0 (") for n in names)


def test_rich_markup_in_an_id_is_shown_verbatim(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cert = signed(tmp_path, "markup", lambda p: p["entries"][0].update(id="[blink]x[/blink][bold]"))
    run_cli(["verify", str(cert), "--key", PUB, "--workers", "1"])
    err = capsys.readouterr().err
    assert "[blink]x[/blink][bold]" in err


def test_an_error_message_quoting_a_path_escapes_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    bad = tmp_path / "evil\x1b]0;title\x07.json"
    bad.write_bytes(b"not json")
    code = run_cli(["verify", str(bad), "--allow-unsigned"])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and "\x1b" not in line and "\x07" not in line and "\\x1b" in line


# --- an empty certificate -----------------------------------------------------------------------------------


def _empty(p: dict[str, Any]) -> None:
    p["entries"] = []
    p["summary"]["certified_accuracy"] = []


def test_a_certificate_with_no_entries_fails_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cert = signed(tmp_path, "empty", _empty)
    code = run_cli(["verify", str(cert), "--key", PUB, "--json", "--quiet"])
    rep = json.loads(capsys.readouterr().out)["files"][0]
    assert code == 1
    assert [f["rule"] for f in rep["findings"] if f["severity"] == "error"] == ["SA506"]


def test_a_policy_may_allow_an_empty_certificate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cert = signed(tmp_path, "empty", _empty)
    policy = tmp_path / "p.toml"
    policy.write_text("[statistics]\nmin_entries = 0\n")
    assert run_cli(["verify", str(cert), "--key", PUB, "--policy", str(policy), "--quiet"]) == 0
    policy.write_text("[statistics]\nmin_entries = 3\n")
    ok = signed(tmp_path, "two", lambda p: p["entries"][0]["claim"].update(radius="0.2"))
    assert run_cli(["verify", str(ok), "--key", PUB, "--policy", str(policy), "--quiet"]) == 1
    policy.write_text("[statistics]\nmin_entries = -1\n")
    assert run_cli(["verify", str(ok), "--key", PUB, "--policy", str(policy), "--quiet"]) == 2


# --- hangs: FIFOs and devices -------------------------------------------------------------------------------


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


IMPORT = ["import", "cohen", "--sigma", "0.25", "--n", "1000", "--alpha", "0.001"]


def test_dev_zero_as_a_log_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = run_cli([*IMPORT, "/dev/zero", "--out", str(tmp_path / "c.json")], deadline=20)
    assert code == 2 and "not a regular file" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("where", ["log", "certificate", "policy", "key", "model"])
def test_a_fifo_anywhere_is_refused_without_blocking(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    fifo = _fifo(tmp_path / "pipe")
    good = str(CASES / "valid_top1.json")
    argv = {
        "log": [*IMPORT, str(fifo), "--out", str(tmp_path / "c.json")],
        "certificate": ["verify", str(fifo), "--key", PUB],
        "policy": ["verify", good, "--policy", str(fifo)],
        "key": ["verify", good, "--key", str(fifo)],
        "model": ["verify", good, "--key", PUB, "--model", str(fifo)],
    }[where]
    code = run_cli(argv, deadline=20)
    assert code == 2
    assert "not a regular file" in one_error_line(capsys.readouterr().err)


def test_a_fifo_as_a_signed_certificates_sidecar_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    shutil.copy(CASES / "valid_soft_betting.json", tmp_path / "c.json")
    (tmp_path / "sidecars").mkdir()
    shutil.copy(CASES / "sidecars" / "soft_betting_1.npy", tmp_path / "sidecars")
    _fifo(tmp_path / "sidecars" / "soft_betting_0.json")
    code = run_cli(["verify", str(tmp_path / "c.json"), "--key", PUB, "--workers", "1", "--json"], 30)
    out = json.loads(capsys.readouterr().out)["files"][0]
    assert code == 1  # the entry's evidence is unusable: a failure (SA108), not a hang
    found = [f for e in out["entries"] for f in e["findings"] if f["rule"] == "SA108"]
    assert found and "not a regular file" in found[0]["message"]


# --- lax syntax and out-of-range labels in importers --------------------------------------------------------

HEADER = "idx\tlabel\tpredict\tradius\tcorrect\ttime\n"


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("0\t\u0663\t3\t0.5\t1\t0:00:01\n", "not an integer"),  # Arabic-Indic three
        ("0\t3\t3\t0.5\u200b\t1\t0:00:01\n", "radius"),  # zero-width space
        ("0\t3\t3\t\u0660.5\t1\t0:00:01\n", "radius"),
        ("0\t1_0\t3\t0.5\t0\t0:00:01\n", "not an integer"),  # Python's int() would read 10
        ("0\t99999999999999999999999\t3\t0.5\t0\t0:00:01\n", "outside"),
    ],
)
def test_cohen_logs_take_ascii_numbers_only(
    row: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    log = tmp_path / "log.tsv"
    log.write_text(HEADER + row, encoding="utf-8")
    code = run_cli([*IMPORT, str(log), "--out", str(tmp_path / "c.json")])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and "line 2" in line and says in line
    assert not (tmp_path / "c.json").exists()


def _imagenet_log(path: Path) -> Path:
    rows = [f"{i}\t{label}\t{label}\t0.5\t1\t0:00:01\n" for i, label in enumerate((0, 17, 999))]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_an_imagenet_log_without_num_classes_infers_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    log = _imagenet_log(tmp_path / "imagenet.tsv")
    out = tmp_path / "c.json"
    code = run_cli(["import", "cohen", str(log), "--sigma", "0.5", "--n", "100000", "--alpha", "0.001",
                    "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code in (0, 1), err  # 1: a printed radius no count reproduces (reported per row)
    assert "assuming 1000 classes" in err
    assert run_cli(["verify", str(out), "--allow-unsigned", "--json", "--quiet", "--workers", "1"]) in (0, 1)
    assert "error" not in json.loads(capsys.readouterr().out)["files"][0]


def test_a_label_beyond_num_classes_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    log = _imagenet_log(tmp_path / "imagenet.tsv")
    code = run_cli([*IMPORT, str(log), "--num-classes", "10", "--out", str(tmp_path / "c.json")])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and "line 3" in line and "--num-classes 10" in line


@pytest.mark.parametrize(
    "row", ["5 3 \u0663 1\n", "5 3 2 99999999999999999999999\n", "-1 3 2 1\n", "5 3 2 1 x\n", "1_0 3 2 1\n"]
)
def test_jia_counts_take_ascii_numbers_only(row: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    counts = tmp_path / "counts.txt"
    counts.write_text(row, encoding="utf-8")
    argv = ["import", "jia-topk", str(counts), "--sigma", "0.5", "--k", "1", "--alpha", "0.001"]
    code = run_cli([*argv, "--out", str(tmp_path / "c.json")])
    assert code == 2 and "line 1" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("value", ["\u0663", " 5", "5 ", "1_0", "+5", "0x10"])
def test_integer_options_take_ascii_digits_only(value: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        audit_main([*IMPORT[:2], "log", "--sigma", "0.5", "--n", value, "--alpha", "0.001", "--out", "x"])
    assert exc.value.code == 2
    assert "--n" in capsys.readouterr().err


# --- interruption -------------------------------------------------------------------------------------------


def test_sigterm_during_an_import_leaves_no_temporary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "log.tsv"
    log.write_text(HEADER + "0\t3\t-1\t0.0\t0\t0:00:01\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    real_fsync = os.fsync

    def fsync_then_terminated(fd: int) -> None:  # SIGTERM while the temporary file is being written
        real_fsync(fd)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", fsync_then_terminated)
    code = audit_main([*IMPORT, str(log), "--out", str(out_dir / "c.json")])  # main thread: gets the signal
    assert code == 143
    assert "terminated" in capsys.readouterr().err
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("value", ["600,\u0663\u0660\u0660", "600,1_0", "600;300"])
def test_integer_list_options_take_ascii_digits_only(value: str, capsys: pytest.CaptureFixture) -> None:
    argv = ["radius", "--family", "gaussian-l2", "--label", "0", "--sigma", "0.5", "--n", "1000"]
    code = run_cli([*argv, "--alpha", "0.001", "--counts", value])
    assert code == 2 and "--counts" in one_error_line(capsys.readouterr().err)


def test_a_npy_sidecar_header_claiming_terabytes_costs_nothing() -> None:
    import io

    import numpy as np

    from audit.format.sidecar import SidecarError, _from_npy

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    buf.write(b"\0" * 64)
    with pytest.raises(SidecarError, match="shape"):  # was MemoryError: the array was allocated first
        _from_npy(buf.getvalue(), 2, 5)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (2, 5)})
    with pytest.raises(SidecarError, match="data bytes"):  # the right shape, the data cut short
        _from_npy(buf.getvalue() + b"\0" * 8, 2, 5)
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (2, \n"  # found by `make fuzz`: TokenError
    with pytest.raises(SidecarError, match="unreadable"):
        _from_npy(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header, 2, 5)
