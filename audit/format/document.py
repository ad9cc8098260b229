"""The in-toto Statement v1 that carries a certificate, and sha256 digests of model files.

Guarantees:

* :func:`build_statement` returns a new dict ``{_type, subject, predicateType, predicate}``; it does not
  validate the predicate (see :mod:`audit.format.validate`).
* :func:`statement_bytes` is the canonical payload encoding (sorted keys, compact, ASCII, no NaN).
* :func:`model_digests` hashes a file, or every regular file under a directory (symlinks refused), in
  sorted relative-path order. A directory's root digest is the sha256 of the manifest text
  ``"<sha256>  <relative/posix/path>\\n"`` per file, in that order (the ``sha256sum`` output format).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.errors import InputError
from audit.format.io import dumps_json

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://smoothing-audit.dev/certificate/v1"
FORMAT_VERSION = 1

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Lowercase hex sha256 of a file's bytes, streamed in 1 MiB chunks."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise InputError(f"cannot read model file: {exc.strerror or exc}", file=os.fspath(path)) from None
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ModelDigests:
    """Digests of a model: the subject entry for the Statement and per-file entries for the predicate."""

    subject: dict[str, Any]
    model_files: list[dict[str, str]]


def _dir_files(root: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        for d in dirnames:
            if (base / d).is_symlink():
                raise InputError("symbolic links are not allowed in a model directory", file=str(base / d))
        for f in filenames:
            p = base / f
            if p.is_symlink() or not p.is_file():
                raise InputError("only regular files are allowed in a model directory", file=str(p))
            found.append((p.relative_to(root).as_posix(), p))
    found.sort(key=lambda item: item[0])
    return found


def manifest_digest(model_files: Sequence[Mapping[str, str]]) -> str:
    """Root digest of a directory from its per-file entries (sorted by name, sha256sum text format)."""
    lines = "".join(f"{e['sha256']}  {e['name']}\n" for e in sorted(model_files, key=lambda e: e["name"]))
    return sha256_bytes(lines.encode("utf-8"))


def model_digests(path: str | os.PathLike[str], *, name: str | None = None) -> ModelDigests:
    """Digests of a model file or directory; ``name`` overrides the subject name (default: basename)."""
    p = Path(path)
    subject_name = name or p.name
    if p.is_dir():
        files = [{"name": rel, "sha256": sha256_file(fp)} for rel, fp in _dir_files(p)]
        if not files:
            raise InputError("model directory is empty", file=str(p))
        root = manifest_digest(files)
        return ModelDigests({"name": subject_name, "digest": {"sha256": root}}, files)
    if not p.exists():
        raise InputError("model file not found", file=str(p))
    digest = sha256_file(p)
    return ModelDigests(
        {"name": subject_name, "digest": {"sha256": digest}}, [{"name": p.name, "sha256": digest}]
    )


def check_model_digests(statement: Mapping[str, Any], path: str | os.PathLike[str]) -> list[str]:
    """Compare a model file/directory on disk with the statement; returns human-readable mismatches.

    Empty list means: the first subject's sha256 equals the recomputed digest, and (for a directory) the
    per-file list in ``predicate.model_files`` equals the files on disk.
    """
    problems: list[str] = []
    got = model_digests(path)
    subjects = statement.get("subject") or []
    want = subjects[0]["digest"].get("sha256") if subjects else None
    if want != got.subject["digest"]["sha256"]:
        problems.append(
            f"subject digest {want} does not match {os.fspath(path)} "
            f"(sha256 {got.subject['digest']['sha256']})"
        )
    if Path(path).is_dir():
        recorded = {e["name"]: e["sha256"] for e in statement.get("predicate", {}).get("model_files") or []}
        actual = {e["name"]: e["sha256"] for e in got.model_files}
        for fname in sorted(recorded.keys() | actual.keys()):
            if recorded.get(fname) != actual.get(fname):
                problems.append(
                    f"model file {fname}: recorded {recorded.get(fname)}, found {actual.get(fname)}"
                )
    return problems


def build_statement(predicate: Mapping[str, Any], subjects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An in-toto Statement v1 dict with our predicateType around ``predicate``."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [dict(s) for s in subjects],
        "predicateType": PREDICATE_TYPE,
        "predicate": dict(predicate),
    }


def statement_bytes(statement: Mapping[str, Any]) -> bytes:
    """Canonical payload bytes of a statement (ValueError on NaN/Infinity)."""
    return dumps_json(statement)
