"""Per-sample score sidecars (``scores.sidecar = {path, sha256}``) for the ``betting`` interval.

Guarantees:

* The path is resolved relative to the certificate's directory; absolute paths, ``..`` components and
  backslashes are refused, so a certificate can only point below its own directory.
* The file is read once with a size limit (:data:`MAX_SIDECAR_BYTES`), its sha256 is compared with the
  signed digest, and only those same bytes are parsed (no second read between check and use).
* Two formats (docs/format.md, "Score sidecar"): JSON ``{"sidecar_version": 1, "n": N, "samples": [[...],
  ...]}`` with decimal-string scores (exact rationals), or a ``.npy`` float64 array of shape
  ``(num_classes, n)`` read with ``allow_pickle=False``. Every score must lie in [0, 1].
* Every problem raises :class:`SidecarError` with a one-line reason; the verifier turns it into an
  ``inconsistent-evidence`` verdict (rule SA108, exit 1), never an exception escaping the entry.
* :func:`npy_bytes` is the one writer of ``.npy`` sidecars (the issuer's), :data:`MAX_SIDECAR_BYTES` the
  one limit both sides apply.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from numpy.lib import format as npformat

from audit.errors import AuditError
from audit.format.io import JsonLimits, parse_json_strict, read_bounded, sha256_bytes
from audit.format.limits import SIDECAR_BYTES
from audit.format.model import SidecarRef
from audit.format.numbers import NumberError, parse_decimal

MAX_SIDECAR_BYTES = SIDECAR_BYTES.value
SIDECAR_VERSION = 1
_LIMITS = JsonLimits(max_depth=8)


class SidecarError(Exception):
    """The sidecar is missing, altered (sha256), oversized or malformed."""


def resolve(cert_path: str, rel: str) -> Path:
    """The sidecar's path: ``rel`` (POSIX, relative, no ``..``) under the certificate's directory."""
    if "\\" in rel or "\x00" in rel:
        raise SidecarError(f"sidecar path {rel!r} must be a POSIX relative path")
    pp = PurePosixPath(rel)
    if pp.is_absolute() or any(part == ".." for part in pp.parts) or not pp.parts:
        raise SidecarError(f"sidecar path {rel!r} must be relative, below the certificate's directory")
    return Path(cert_path).resolve().parent.joinpath(*pp.parts)


def _unit(v: Fraction, where: str) -> Fraction:
    if not 0 <= v <= 1:
        raise SidecarError(f"{where}: score {float(v)!r} outside [0, 1]")
    return v


def _from_json(data: bytes, num_classes: int, n: int) -> list[list[Fraction]]:
    try:
        doc = parse_json_strict(data, limits=_LIMITS, what="sidecar")
    except AuditError as exc:
        raise SidecarError(exc.message) from None
    if not isinstance(doc, dict) or doc.get("sidecar_version") != SIDECAR_VERSION:
        raise SidecarError(f"not a version-{SIDECAR_VERSION} score sidecar (field 'sidecar_version')")
    if doc.get("n") != n:
        raise SidecarError(f"sidecar n={doc.get('n')!r}, certificate n={n}")
    rows = doc.get("samples")
    if not isinstance(rows, list) or len(rows) != num_classes:
        raise SidecarError(f"'samples' must hold one list per class ({num_classes})")
    out: list[list[Fraction]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n:
            raise SidecarError(f"samples[{i}] must hold n={n} scores")
        vals: list[Fraction] = []
        for t, text in enumerate(row):
            if not isinstance(text, str):
                raise SidecarError(f"samples[{i}][{t}]: scores are decimal strings")
            try:
                vals.append(_unit(parse_decimal(text), f"samples[{i}][{t}]"))
            except NumberError as exc:
                raise SidecarError(f"samples[{i}][{t}]: {exc.message}") from None
        out.append(vals)
    return out


def _from_npy(data: bytes, num_classes: int, n: int) -> np.ndarray:
    """The scores of a ``.npy`` sidecar; its header (dtype, shape, byte count) is checked before any array
    is allocated, so a header that claims terabytes costs nothing."""
    fh = io.BytesIO(data)
    try:
        version = npformat.read_magic(fh)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"format version {version} (1.0 or 2.0 expected)")
        read_header = npformat.read_array_header_1_0 if version == (1, 0) else npformat.read_array_header_2_0
        shape, fortran, dtype = read_header(fh)
    except Exception as exc:  # numpy parsing untrusted header text: ValueError, TokenError, SyntaxError, ...
        raise SidecarError(f"unreadable .npy sidecar: {type(exc).__name__}: {exc}") from None
    if dtype != np.dtype("<f8") or fortran:
        raise SidecarError("a .npy sidecar must hold little-endian float64 scores in C order")
    if shape != (num_classes, n):
        want = (num_classes, n)
        raise SidecarError(f".npy sidecar has shape {shape}, expected (num_classes, n) = {want}")
    if len(data) - fh.tell() != 8 * num_classes * n:
        raise SidecarError(
            f".npy sidecar holds {len(data) - fh.tell()} data bytes, expected {8 * num_classes * n}"
        )
    arr = np.frombuffer(data, dtype="<f8", offset=fh.tell()).reshape(shape)
    if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
        raise SidecarError(".npy sidecar scores must be finite and in [0, 1]")
    return arr


def load_samples(cert_path: str, ref: SidecarRef, num_classes: int, n: int) -> list[Any]:
    """Per-class score sequences (``[class][sample]``, sampling order) from a verified sidecar."""
    path = resolve(cert_path, ref.path)
    try:
        data = read_bounded(path, SIDECAR_BYTES)
    except AuditError as exc:
        raise SidecarError(f"cannot read sidecar {ref.path!r}: {exc.message}") from None
    digest = sha256_bytes(data)
    if digest != ref.sha256:
        raise SidecarError(
            f"sidecar {ref.path!r} has sha256 {digest}, the certificate signs {ref.sha256}: "
            "the per-sample scores were altered or replaced"
        )
    if path.suffix == ".npy":
        return list(_from_npy(data, num_classes, n))
    return _from_json(data, num_classes, n)


def npy_bytes(samples: np.ndarray) -> bytes:
    """The ``.npy`` bytes of a ``(num_classes, n)`` score array as written to a sidecar (``<f8``, C order)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(samples, dtype="<f8"), allow_pickle=False)
    return buf.getvalue()
