"""Load certification inputs from ``.npz`` (never pickled objects) or ``.safetensors``, and select indices.

Arrays: inputs under ``inputs`` (or ``x``), labels under ``labels`` (or ``y``, optional). Inputs are
returned as C-contiguous little-endian float32 (N, *shape) in the units the noise is stated in; labels as
int64 or None.
``input_digest`` is the sha256 of one input's float32 little-endian C-order bytes.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audit.errors import InputError, UsageError
from audit.format.io import open_regular

INPUT_KEYS = ("inputs", "x")
LABEL_KEYS = ("labels", "y")


@dataclass
class Dataset:
    """Inputs, optional labels and the name used in entry ids (``name:index``)."""

    name: str
    inputs: np.ndarray
    labels: np.ndarray | None


def _pick(
    arrays: dict[str, np.ndarray], keys: tuple[str, ...], path: Path, required: bool
) -> np.ndarray | None:
    for k in keys:
        if k in arrays:
            return arrays[k]
    if required:
        raise InputError(
            f"no input array: expected one of {list(keys)}, found {sorted(arrays)}", file=str(path)
        )
    return None


def load_data(path: str | Path) -> Dataset:
    """Read ``path``; raise :class:`InputError` on a missing, pickled or malformed file."""
    p = Path(path)
    if not p.is_file():
        raise InputError("data file not found", file=str(p))
    try:
        if p.suffix == ".npz":
            fh, _size = open_regular(p)
            with fh:
                magic = fh.read(4)
            if magic[:2] != b"PK":
                raise InputError(
                    "not an .npz archive (empty file, or not a zip file written by numpy.savez)", file=str(p)
                )
            with np.load(p, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        elif p.suffix == ".safetensors":
            from safetensors.numpy import load_file

            arrays = load_file(str(p))
        else:
            raise InputError("data must be .npz or .safetensors", file=str(p))
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read data ({exc})", file=str(p)) from exc
    except Exception as exc:  # safetensors raises its own error type
        if type(exc).__name__ == "SafetensorError":
            raise InputError(f"cannot read data ({exc})", file=str(p)) from exc
        raise
    x = _pick(arrays, INPUT_KEYS, p, True)
    y = _pick(arrays, LABEL_KEYS, p, False)
    assert x is not None
    if x.ndim < 2 or not np.issubdtype(x.dtype, np.number):
        raise InputError(
            f"inputs must be a numeric (N, ...) array, got {x.dtype} {list(x.shape)}", file=str(p)
        )
    x = np.ascontiguousarray(x, dtype="<f4")
    if not np.isfinite(x).all():
        raise InputError("inputs contain NaN or infinity", file=str(p), field="inputs")
    if y is not None:
        if y.shape != (x.shape[0],) or not np.issubdtype(y.dtype, np.integer):
            raise InputError(f"labels must be integers of shape ({x.shape[0]},)", file=str(p), field="labels")
        y = y.astype(np.int64)
    return Dataset(name=p.stem, inputs=x, labels=y)


def select_indices(
    count: int, indices: str | None = None, skip: int = 1, limit: int | None = None
) -> list[int]:
    """Indices to certify: ``indices`` like ``"0,5,10-19"`` (inclusive ranges) or all, then every ``skip``-th
    of those, then at most ``limit``. Raises :class:`UsageError` on indices out of ``range(count)``, an index
    listed twice (a certificate's entry ids are unique), ``skip < 1`` or ``limit < 1``."""
    if skip < 1:
        raise UsageError(f"--skip must be >= 1, got {skip}")
    if limit is not None and limit < 1:
        raise UsageError(f"--max must be >= 1, got {limit}")
    if indices is None:
        chosen = list(range(count))
    else:
        chosen = []
        for part in indices.split(","):
            part = part.strip()
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
            if not m:
                raise UsageError(f"bad --indices item {part!r} (use e.g. 0,5,10-19)")
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else lo
            if hi < lo or hi >= count:
                raise UsageError(f"--indices item {part!r} is outside 0..{count - 1}")
            chosen.extend(range(lo, hi + 1))
        seen: set[int] = set()
        for i in chosen:
            if i in seen:
                raise UsageError(f"--indices lists input {i} more than once (entry ids must be unique)")
            seen.add(i)
    chosen = chosen[::skip]
    if limit is not None:
        chosen = chosen[:limit]
    return chosen


def input_digest(x: np.ndarray) -> str:
    """sha256 hex of one input's float32 little-endian C-order bytes."""
    return hashlib.sha256(np.ascontiguousarray(x, dtype="<f4").tobytes()).hexdigest()
