"""CI's short, seeded slice of the coverage-guided fuzzers (``make fuzz`` runs them for minutes).

Each atheris target (fuzz/targets.py) runs a fixed number of inputs from a fresh corpus with a fixed seed, in
its own process (libFuzzer exits when done): exit 0 means no input raised past the tool's error handling,
no report failed to parse back, and none exceeded the per-input 30 s or 3 GiB limits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = 1500


def _atheris_present() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("atheris is not installed (make install installs the [fuzz] extra)")
        return False
    return True


def _targets() -> list[str]:
    sys.path.insert(0, str(ROOT))
    try:
        from fuzz.all import TARGETS
        from fuzz.targets import TARGETS as DEFINED
    finally:
        sys.path.remove(str(ROOT))
    assert list(TARGETS) == list(DEFINED), "fuzz/all.py runs every target defined in fuzz/targets.py"
    return list(TARGETS)


@pytest.mark.parametrize("target", _targets())
def test_seeded_fuzz_slice_finds_nothing(target: str, tmp_path: Path) -> None:
    if not _atheris_present():
        pytest.skip("atheris not installed")
    cmd = [sys.executable, "-m", "fuzz.run", target, "--runs", str(RUNS), "--seed", "1",
           "--corpus", str(tmp_path / "corpus"), "--seconds", "300"]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-6000:]
    executed = re.search(r"stat::number_of_executed_units: (\d+)", proc.stderr)
    assert executed is not None and int(executed.group(1)) >= RUNS, proc.stderr[-2000:]
