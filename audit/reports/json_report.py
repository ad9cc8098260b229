"""Machine-readable JSON report (``audit verify --json``): stable keys, no NaN, decimal-string numbers.

:func:`write_json` streams: each entry's object is built, written and dropped in turn, so the memory for the
report does not grow with the number of entries (a 150,000-entry report is ~128 MB of text). The text is
exactly ``json.dumps(report_dict(reports), indent=2)`` (tested), built file by file.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Sequence
from typing import Any, TextIO

from audit import __version__
from audit.verify.verdicts import FileReport

REPORT_VERSION = 1


def report_dict(reports: Sequence[FileReport], *, entries: bool = True) -> dict[str, Any]:
    """The report as one JSON value (``entries=False``: every file's ``"entries"`` left empty)."""
    return {
        "tool": {"name": "audit", "version": __version__},
        "report_version": REPORT_VERSION,
        "passed": all(r.passed for r in reports),
        "exit_code": max((r.exit_code for r in reports), default=0),
        "files": [r.to_json(entries=entries) for r in reports],
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False, allow_nan=False)


def write_json(reports: Sequence[FileReport], out: TextIO) -> None:
    """Write the whole verification result as JSON text to ``out`` (``allow_nan=False``), entry by entry."""
    skeleton = report_dict(reports, entries=False)
    mark = f"entries-{secrets.token_hex(16)}"  # stands for a file's entries; no file text can guess it
    for f, r in zip(skeleton["files"], reports, strict=True):
        if r.entries:
            f["entries"] = [mark]
    pieces = _dumps(skeleton).split(json.dumps(mark))
    with_entries = [r for r in reports if r.entries]
    out.write(pieces[0])
    for rep, before, after in zip(with_entries, pieces[:-1], pieces[1:], strict=True):
        prefix = before.rsplit("\n", 1)[-1]  # the marker's indentation
        for j, e in enumerate(rep.entries):
            if j:
                out.write(",\n" + prefix)
            out.write(_dumps(e.to_json()).replace("\n", "\n" + prefix))
        out.write(after)
    out.write("\n")


def render_json(reports: Sequence[FileReport]) -> str:
    """The whole verification result as JSON text (``allow_nan=False``)."""
    buf = io.StringIO()
    write_json(reports, buf)
    return buf.getvalue()
