"""The resource limits are one documented contract: docs/format.md lists exactly audit/format/limits.py, and
each limit refuses input past it with its name in the message (exit 2 through the CLI)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from harness import ROOT, one_error_line, run_cli, sign_payload

from audit.errors import InputError
from audit.format import limits
from audit.format.io import JsonLimits, parse_json_strict
from audit.format.numbers import NumberError, parse_decimal


def test_docs_list_exactly_the_limits() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \| ([0-9,]+) \| ([a-z]+) \|", text, flags=re.M)
    documented = [(name, int(value.replace(",", "")), unit) for name, value, unit in rows]
    assert documented == [(lim.name, lim.value, lim.unit) for lim in limits.LIMITS]


def test_json_limits_name_themselves() -> None:
    small = JsonLimits(max_depth=3, max_string=5, max_elements=10)
    cases = [
        (b"[[[[1]]]]", "json_depth"),
        (b'["abcdef"]', "json_string"),
        (b"[" + b"1," * 20 + b"1]", "json_values"),
    ]
    for doc, name in cases:
        with pytest.raises(InputError, match=name):
            parse_json_strict(doc, limits=small)


@pytest.mark.parametrize("text", ["1" * 101, "0." + "1" * 101, "1e10000", "1e-10000", "1E+99999"])
def test_decimal_digit_limits(text: str) -> None:
    with pytest.raises(NumberError):
        parse_decimal(text)
    parse_decimal(text[:100] if "e" not in text.lower() else "1e9999")  # at the limit: accepted


def test_an_integer_beyond_int64_is_refused() -> None:
    with pytest.raises(InputError, match="outside"):
        parse_json_strict(str(2**63).encode())


def test_the_entries_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from audit.format import certificate

    monkeypatch.setattr(certificate, "ENTRIES", limits.Limit("entries", 1, "entries", "test"))
    cert = ROOT / "cases" / "valid_top1.json"  # two entries
    code = run_cli(["verify", str(cert), "--key", str(ROOT / "cases" / "keys" / "test-release.pub")])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and "limit entries = 1" in line and "predicate.entries" in line


def test_the_signatures_limit(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cert = sign_payload(tmp_path / "c.json", b"{}")
    doc = json.loads(cert.read_text())
    doc["signatures"] = doc["signatures"] * 17
    cert.write_text(json.dumps(doc))
    assert run_cli(["verify", str(cert), "--allow-unsigned"]) == 2
    assert "limit signatures = 16" in one_error_line(capsys.readouterr().err)


def test_the_certificate_bytes_limit_costs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sparse = tmp_path / "sparse.json"
    with sparse.open("wb") as fh:
        fh.truncate(limits.CERTIFICATE_BYTES.value + 1)  # sparse: nothing is allocated on disk or read
    assert run_cli(["verify", str(sparse), "--allow-unsigned"]) == 2
    assert "limit certificate_bytes" in one_error_line(capsys.readouterr().err)


def test_the_classes_limit_in_an_imported_log(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    log = tmp_path / "log.tsv"
    log.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t100000\t-1\t0.0\t0\t0:00:01\n")
    argv = ["import", "cohen", str(log), "--sigma", "0.25", "--n", "1000", "--alpha", "0.001"]
    assert run_cli([*argv, "--out", str(tmp_path / "c.json")]) == 2
    assert "outside [0, 99999]" in one_error_line(capsys.readouterr().err)


READER_PEAK_MULTIPLE = 8  # docs/security.md "Memory": the reader's documented bound (the goal is 3)


def test_the_readers_peak_allocation_stays_within_the_documented_multiple(tmp_path: Path) -> None:
    """Python allocations while reading a 2 MB signed certificate (6,000 entries) stay below 8× its size."""
    import copy
    import tracemalloc

    from documents import statement_dict
    from format_samples import SUBJECTS, family

    from audit.format import load_certificate
    from audit.format.io import dumps_json

    pred = family("gaussian")
    first = pred["entries"][0]
    pred["entries"] = [{**copy.deepcopy(first), "id": f"e{i}", "seed": i, "input_sha256": f"{i:064x}"}
                       for i in range(6000)]  # fmt: skip
    pred["summary"]["certified_accuracy"] = []
    cert = sign_payload(tmp_path / "big.json", dumps_json(statement_dict(pred, SUBJECTS)))
    size = cert.stat().st_size
    tracemalloc.start()
    try:
        loaded = load_certificate(cert, [ROOT / "cases" / "keys" / "test-release.pub"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(loaded.predicate.entries) == 6000
    assert peak <= READER_PEAK_MULTIPLE * size, f"peak {peak / size:.2f}x the file"
