"""Export scikit-learn's bundled 8x8 digits data set to ``cases/demo/digits-{train,test}.npz``.

Inputs are float32 arrays of shape (N, 1, 8, 8) scaled to [0, 1] (raw 0..16 divided by 16, exact in float32),
labels are int64. The split is fixed: a seeded permutation (numpy PCG64, seed 0) puts 1437 images in train and
360 in test. Run: ``python scripts/export_digits.py [--out cases/demo]``.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

from audit.format.io import atomic_write

TEST_SIZE = 360


def _savez(path: Path, **arrays: np.ndarray) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write(path, buf.getvalue())


def export(out: Path) -> tuple[Path, Path]:
    """Write the train and test npz files; returns their paths."""
    digits = load_digits()
    x = (digits.images.astype(np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    perm = np.random.default_rng(0).permutation(len(y))
    test, train = perm[:TEST_SIZE], perm[TEST_SIZE:]
    paths = (out / "digits-train.npz", out / "digits-test.npz")
    _savez(paths[0], inputs=x[train], labels=y[train])
    _savez(paths[1], inputs=x[test], labels=y[test])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("cases/demo"))
    for p in export(parser.parse_args().out):
        print(p)


if __name__ == "__main__":
    main()
