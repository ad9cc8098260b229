"""SARIF 2.1.0: every finding as a result with a stable rule id and a location in the certificate file.

Locations: ``physicalLocation`` = the certificate file, region = the line of the envelope's ``payload``
member (the statement is base64 inside it); ``logicalLocations[0].fullyQualifiedName`` = the JSON pointer
into the decoded statement (e.g. ``/predicate/entries/3/claim/radius``). Gates are results of rule SA505.
A file that could not be read has no results: it is an error-level ``toolExecutionNotification`` of the run's
invocation (``executionSuccessful: false``), located at the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from audit import __version__
from audit.verify.verdicts import FileReport, Finding, Rule, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _location(rep: FileReport, pointer: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": rep.path},
            "region": {"startLine": rep.payload_line if pointer.startswith("/predicate") else 1},
        },
        "logicalLocations": [{"fullyQualifiedName": pointer or "/", "kind": "member"}],
    }


def _result(rep: FileReport, f: Finding) -> dict[str, Any]:
    res: dict[str, Any] = {
        "ruleId": str(f.rule),
        "ruleIndex": list(Rule).index(f.rule),
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [_location(rep, f.pointer)],
        "properties": {"jsonPointer": f.pointer},
    }
    if f.entry is not None:
        res["properties"]["entry"] = f.entry
    return res


def render_sarif(reports: Sequence[FileReport]) -> str:
    rules = [
        {
            "id": str(r),
            "name": r.slug,
            "shortDescription": {"text": r.description},
            "helpUri": "https://smoothing-audit.dev/docs/verifier#" + r.slug,
        }
        for r in Rule
    ]
    results: list[dict[str, Any]] = []
    for rep in reports:
        for f in rep.findings:
            results.append(_result(rep, f))
        for e in rep.entries:
            for f in e.findings:
                results.append(_result(rep, f))
        for g in rep.gates:
            results.append(
                {
                    "ruleId": str(Rule.POLICY_GATE),
                    "ruleIndex": list(Rule).index(Rule.POLICY_GATE),
                    "level": "none" if g.passed else "error",
                    "kind": "pass" if g.passed else "fail",
                    "message": {"text": f"{g.name}: {g.message}"},
                    "locations": [_location(rep, "/predicate/summary")],
                    "properties": {"jsonPointer": "/predicate/summary", "gate": g.name},
                }
            )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "audit",
                "version": __version__,
                "informationUri": "https://smoothing-audit.dev",
                "rules": rules,
            }
        },
        "results": results,
        "artifacts": [{"location": {"uri": rep.path}} for rep in reports],
    }
    unreadable = [rep for rep in reports if rep.error is not None]
    if unreadable:
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [
                    {
                        "level": "error",
                        "message": {"text": rep.error},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": rep.path}}}],
                    }
                    for rep in unreadable
                ],
            }
        ]
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"
