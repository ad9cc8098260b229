"""Machine-readable JSON report (``audit verify --json``): stable keys, no NaN, decimal-string numbers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from audit import __version__
from audit.verify.verdicts import FileReport

REPORT_VERSION = 1


def report_dict(reports: Sequence[FileReport]) -> dict[str, Any]:
    return {
        "tool": {"name": "audit", "version": __version__},
        "report_version": REPORT_VERSION,
        "passed": all(r.passed for r in reports),
        "exit_code": max((r.exit_code for r in reports), default=0),
        "files": [r.to_json() for r in reports],
    }


def render_json(reports: Sequence[FileReport]) -> str:
    """The whole verification result as JSON text (``allow_nan=False``)."""
    return json.dumps(report_dict(reports), indent=2, sort_keys=False, allow_nan=False) + "\n"
