"""Machine-readable JSON report (``audit verify --json``): stable keys, no NaN, decimal-string numbers.

:func:`write_json` streams: each entry's object is built, written and dropped in turn, so the memory for the
report does not grow with the number of entries (a 150,000-entry report is ~128 MB of text). The text is
exactly ``json.dumps(report_dict(reports), indent=2)`` (tested), built file by file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any, TextIO

from audit import __version__
from audit.verify.verdicts import FileReport

REPORT_VERSION = 1
_MARK = "\u0000entries\u0000"  # stands for a file's entries in its skeleton (no report string holds NUL)


def report_dict(reports: Sequence[FileReport]) -> dict[str, Any]:
    return {
        "tool": {"name": "audit", "version": __version__},
        "report_version": REPORT_VERSION,
        "passed": all(r.passed for r in reports),
        "exit_code": max((r.exit_code for r in reports), default=0),
        "files": [r.to_json() for r in reports],
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False, allow_nan=False)


def write_json(reports: Sequence[FileReport], out: TextIO) -> None:
    """Write the whole verification result as JSON text to ``out`` (``allow_nan=False``), entry by entry."""
    skeleton = report_dict([])
    skeleton["passed"] = all(r.passed for r in reports)
    skeleton["exit_code"] = max((r.exit_code for r in reports), default=0)
    skeleton["files"] = [r.to_json(entries=False) for r in reports]
    for f, r in zip(skeleton["files"], reports, strict=True):
        if r.entries:
            f["entries"] = [_MARK]
    pieces = _dumps(skeleton).split(json.dumps(_MARK))
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
