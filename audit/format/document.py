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


def model_files_problems(statement: Mapping[str, Any]) -> list[str]:
    """Where ``predicate.model_files`` contradicts the first subject's sha256; human-readable, empty if none.

    The subject is derived from ``model_files`` (:func:`model_digests`): a single file's subject digest is
    that file's sha256 (one entry), a directory's is :func:`manifest_digest` of the entries. So the lists
    agree when the subject equals the manifest digest, or the only entry's sha256. An empty list (imported
    certificates: no model) and a subject without a sha256 digest are not checked.
    """
    recorded = statement.get("predicate", {}).get("model_files") or []
    subjects = statement.get("subject") or []
    want = subjects[0].get("digest", {}).get("sha256") if subjects else None
    if not recorded or want is None:
        return []
    if len(recorded) == 1 and recorded[0]["sha256"] == want:
        return []  # a single model file
    if manifest_digest(recorded) == want:
        return []  # a directory (possibly of one file)
    if len(recorded) == 1:
        return [
            f"model_files[0] {recorded[0]['name']!r} has sha256 {recorded[0]['sha256']}, but the subject "
            f"digest is {want} (a single model file's subject digest is its sha256)"
        ]
    return [
        f"the {len(recorded)} model_files have manifest digest {manifest_digest(recorded)}, but the subject "
        f"digest is {want} (a model directory's subject digest is the manifest digest of its files)"
    ]


def check_model_digests(statement: Mapping[str, Any], path: str | os.PathLike[str]) -> list[str]:
    """Compare a model file/directory on disk with the statement; returns human-readable mismatches.

    Empty list means: the first subject's sha256 equals the recomputed digest, and ``predicate.model_files``
    describes the files on disk: for a directory the per-file list equals them, for a single file it is
    empty (imported certificates) or its one entry has the file's sha256.
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
    else:
        entries = statement.get("predicate", {}).get("model_files") or []
        digest = got.model_files[0]["sha256"]
        if entries and [e["sha256"] for e in entries] != [digest]:
            listed = ", ".join(f"{e['name']} {e['sha256']}" for e in entries)
            problems.append(
                f"model_files records {listed}, but {os.fspath(path)} is one file with sha256 {digest}"
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
