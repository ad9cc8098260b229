"""Re-record the golden outputs (see invocations.py): ``python tests/golden/record.py``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runner import OUT_DIR, run_all

if __name__ == "__main__":
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUT_DIR.iterdir():
        old.unlink()
    for name, blobs in run_all().items():
        for suffix, data in blobs.items():
            (OUT_DIR / f"{name}.{suffix}").write_bytes(data)
    print(f"recorded {len(list(OUT_DIR.iterdir()))} files in {OUT_DIR}")
