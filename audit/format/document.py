"""The in-toto Statement around a certificate, and the sha256 digests that bind it to model files.

Guarantees:

* :func:`build_statement` wraps a typed :class:`~audit.format.model.Predicate` in a Statement with our
  ``predicateType``; it does not check the predicate's consistency (see :mod:`audit.format.validate`).
* :func:`model_digests` hashes a file, or every regular file under a directory (symlinks refused), in
  sorted relative-path order. A directory's root digest is the sha256 of the manifest text
  ``"<sha256>  <relative/posix/path>\\n"`` per file, in that order (the ``sha256sum`` output format).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from audit.errors import InputError
from audit.format.io import sha256_bytes, sha256_file
from audit.format.model import (
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    Digest,
    ModelFile,
    Predicate,
    Statement,
    Subject,
)


@dataclass(frozen=True)
class ModelDigests:
    """Digests of a model: the subject for the Statement, per-file entries for ``predicate.model_files``."""

    subject: Subject
    model_files: list[ModelFile]


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


def manifest_digest(model_files: Sequence[ModelFile]) -> str:
    """Root digest of a directory from its per-file entries (sorted by name, sha256sum text format)."""
    lines = "".join(f"{e.sha256}  {e.name}\n" for e in sorted(model_files, key=lambda e: e.name))
    return sha256_bytes(lines.encode("utf-8"))


def model_digests(path: str | os.PathLike[str], *, name: str | None = None) -> ModelDigests:
    """Digests of a model file or directory; ``name`` overrides the subject name (default: basename)."""
    p = Path(path)
    subject_name = name or p.name
    if p.is_dir():
        files = [ModelFile(name=rel, sha256=sha256_file(fp)) for rel, fp in _dir_files(p)]
        if not files:
            raise InputError("model directory is empty", file=str(p))
        return ModelDigests(Subject(name=subject_name, digest=Digest(sha256=manifest_digest(files))), files)
    if not p.exists():
        raise InputError("model file not found", file=str(p))
    digest = sha256_file(p)
    return ModelDigests(
        Subject(name=subject_name, digest=Digest(sha256=digest)), [ModelFile(name=p.name, sha256=digest)]
    )


def model_files_problems(statement: Statement) -> list[str]:
    """Where ``predicate.model_files`` contradicts the first subject's sha256; human-readable, empty if none.

    The subject is derived from ``model_files`` (:func:`model_digests`): a single file's subject digest is
    that file's sha256 (one entry), a directory's is :func:`manifest_digest` of the entries. So the lists
    agree when the subject equals the manifest digest, or the only entry's sha256. An empty list (imported
    certificates: no model) is not checked.
    """
    recorded = statement.predicate.model_files
    want = statement.subject[0].digest.sha256
    if not recorded:
        return []
    if len(recorded) == 1 and recorded[0].sha256 == want:
        return []  # a single model file
    if manifest_digest(recorded) == want:
        return []  # a directory (possibly of one file)
    if len(recorded) == 1:
        return [
            f"model_files[0] {recorded[0].name!r} has sha256 {recorded[0].sha256}, but the subject "
            f"digest is {want} (a single model file's subject digest is its sha256)"
        ]
    return [
        f"the {len(recorded)} model_files have manifest digest {manifest_digest(recorded)}, but the subject "
        f"digest is {want} (a model directory's subject digest is the manifest digest of its files)"
    ]


def check_model_digests(statement: Statement, path: str | os.PathLike[str]) -> list[str]:
    """Compare a model file/directory on disk with the statement; returns human-readable mismatches.

    Empty list means: the first subject's sha256 equals the recomputed digest, and ``predicate.model_files``
    describes the files on disk: for a directory the per-file list equals them, for a single file it is
    empty (imported certificates) or its one entry has the file's sha256.
    """
    problems: list[str] = []
    got = model_digests(path)
    want = statement.subject[0].digest.sha256
    if want != got.subject.digest.sha256:
        problems.append(
            f"subject digest {want} does not match {os.fspath(path)} (sha256 {got.subject.digest.sha256})"
        )
    entries = statement.predicate.model_files
    if Path(path).is_dir():
        recorded = {e.name: e.sha256 for e in entries}
        actual = {e.name: e.sha256 for e in got.model_files}
        for fname in sorted(recorded.keys() | actual.keys()):
            if recorded.get(fname) != actual.get(fname):
                problems.append(
                    f"model file {fname}: recorded {recorded.get(fname)}, found {actual.get(fname)}"
                )
    else:
        digest = got.model_files[0].sha256
        if entries and [e.sha256 for e in entries] != [digest]:
            listed = ", ".join(f"{e.name} {e.sha256}" for e in entries)
            problems.append(
                f"model_files records {listed}, but {os.fspath(path)} is one file with sha256 {digest}"
            )
    return problems


def build_statement(predicate: Predicate, subjects: Sequence[Subject]) -> Statement:
    """An in-toto Statement v1 with our predicateType around ``predicate``."""
    return Statement(
        type=STATEMENT_TYPE, subject=list(subjects), predicate_type=PREDICATE_TYPE, predicate=predicate
    )
