"""``python -m certs.demo`` (README command 1's job): certify, verify and replay the bundled default."""

from __future__ import annotations

from pathlib import Path

import pytest

from certs.demo import main


def test_demo_certifies_verifies_and_replays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["--out", str(tmp_path), "--quiet", "--inputs", "4", "--n0", "30", "--n", "300", "--device", "cpu"]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "audit verify: PASS (signature valid, subject match)" in out
    assert "certs replay (cpu): PASS (4 match)" in out
    assert (tmp_path / "cert.json").is_file() and not (tmp_path / "cert.json.partial").exists()
