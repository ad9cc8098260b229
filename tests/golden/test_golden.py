"""Output of every golden invocation is byte-identical to the recording made before the refactor.

See ``invocations.py`` for what is recorded and why (a regression snapshot, not a correctness reference).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from invocations import INVOCATIONS
from runner import OUT_DIR, run_all

needs_shared = pytest.mark.skipif(
    not (Path(__file__).resolve().parents[3] / "shared" / "realdata").is_dir(),
    reason="../shared/realdata missing",
)


@pytest.fixture(scope="module")
def produced() -> dict[str, dict[str, bytes]]:
    return run_all()


@needs_shared
def test_every_recorded_file_is_produced(produced: dict[str, dict[str, bytes]]) -> None:
    recorded = {p.name for p in OUT_DIR.iterdir()}
    now = {f"{name}.{suffix}" for name, blobs in produced.items() for suffix in blobs}
    assert recorded == now
    assert len(INVOCATIONS) >= 60


@needs_shared
@pytest.mark.parametrize("name", [inv.name for inv in INVOCATIONS])
def test_output_unchanged(name: str, produced: dict[str, dict[str, bytes]]) -> None:
    for suffix, data in produced[name].items():
        want = (OUT_DIR / f"{name}.{suffix}").read_bytes()
        assert data.decode() == want.decode(), f"{name}.{suffix} differs from the recording"
