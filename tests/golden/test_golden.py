"""Output of every golden invocation is byte-identical to the recording made before the refactor.

See ``invocations.py`` for what is recorded and why (a regression snapshot, not a correctness reference). The
invocations that read ../shared/realdata fail in CI when it is missing and are skipped elsewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from realdata import SHARED, realdata

sys.path.insert(0, str(Path(__file__).resolve().parent))

from invocations import INVOCATIONS
from runner import OUT_DIR, run_all


@pytest.fixture(scope="module")
def produced() -> dict[str, dict[str, bytes]]:
    return run_all(with_shared=SHARED.is_dir())


def test_every_recorded_file_is_produced(produced: dict[str, dict[str, bytes]]) -> None:
    names = {inv.name for inv in INVOCATIONS if inv.name in produced}
    recorded = {p.name for p in OUT_DIR.iterdir() if p.name.rsplit(".", 1)[0] in names}
    now = {f"{name}.{suffix}" for name, blobs in produced.items() for suffix in blobs}
    assert recorded == now
    assert len(INVOCATIONS) >= 60


@pytest.mark.parametrize("inv", INVOCATIONS, ids=[inv.name for inv in INVOCATIONS])
def test_output_unchanged(inv, produced: dict[str, dict[str, bytes]]) -> None:
    if inv.digest_only:
        realdata("cohen_cifar10_resnet110_sigma025.tsv")  # fails in CI, skips elsewhere, when missing
    for suffix, data in produced[inv.name].items():
        want = (OUT_DIR / f"{inv.name}.{suffix}").read_bytes()
        assert data.decode() == want.decode(), f"{inv.name}.{suffix} differs from the recording"
