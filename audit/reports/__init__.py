"""Report writers over :class:`audit.verify.verdicts.FileReport`: console (rich), JSON, JUnit XML, SARIF.

Writers are pure functions from reports to text; files are written atomically by :func:`write_text_atomic`.
:func:`check_output_path` refuses a report path that cannot be written (missing directory, a directory
itself) before any work is done; both raise :class:`audit.errors.AuditError` subclasses (exit 2, one line
naming the file), never a bare ``OSError``.
"""

from __future__ import annotations

import os
from pathlib import Path

from audit.errors import UsageError
from audit.format.io import atomic_write


def check_output_path(path: str | os.PathLike[str], what: str = "report") -> None:
    """UsageError naming ``path`` unless a file can be written there (its directory exists, is writable,
    and ``path`` itself is not a directory). Call before verifying, so a typo costs nothing."""
    name = os.fspath(path)
    target = Path(name)
    if target.is_dir():
        raise UsageError(f"cannot write {what}: is a directory", file=name)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.exists():
        raise UsageError(f"cannot write {what}: directory {directory} does not exist", file=name)
    if not directory.is_dir():
        raise UsageError(f"cannot write {what}: {directory} is not a directory", file=name)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {what}: directory {directory} is not writable", file=name)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temp file in the same directory and ``os.replace``.

    Errors become InputError naming ``path`` (exit 2), as for every file the project writes.
    """
    atomic_write(path, text.encode("utf-8"))
