"""Evidence consistency: counts, labels, n0/n, score statistics, duplicate inputs.

Guarantees: uses the format layer's semantic checks (one implementation) and adds what the verifier needs on
top (duplicate input digests, the evidence a radius method requires). Entry problems become
``inconsistent-evidence`` findings (rule SA101–SA107) with a JSON pointer; file-level problems are returned
separately (rule SA109; alpha-split problems are protocol findings, see :mod:`audit.verify.protocol`).

Structural rule: every problem the format layer's semantic check reports, except a duplicate entry id, means
the document contradicts itself (counts not adding up to n or n0, wrong length, negative counts, labels out of
range, impossible score statistics, a negative or fractional-l0 radius, file parameters that disagree). Such
findings are marked ``structural`` (``data["field"]`` = the dotted field) and make ``audit verify`` exit 2.
Duplicate inputs/ids are consistent documents describing a bad evaluation: not structural (exit 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audit.format import Problem, semantic_problems
from audit.verify.pointers import entry_pointer, predicate_pointer
from audit.verify.verdicts import Finding, Severity


def _rule_for(field: str) -> str:
    if field.startswith("selection_counts"):
        return "SA103"
    if field.startswith(("true_label", "claim.label")):
        return "SA102"
    if field.startswith("scores"):
        return "SA104"
    if field == "id":
        return "SA105"
    if field.startswith("counts"):
        return "SA102" if "items" in field else "SA101"
    return "SA101"


def _finding(p: Problem) -> Finding:
    rule = _rule_for(p.field)
    if p.field == "counts" and "items, expected num_classes" in p.message:
        rule = "SA102"
    assert p.entry is not None
    return Finding(
        rule,
        Severity.ERROR,
        p.message,
        predicate_pointer(p.field, p.entry),
        p.entry,
        {"field": p.field},
        structural=rule != "SA105",
    )


def evidence_findings(statement: Mapping[str, Any]) -> tuple[list[Finding], dict[int, list[Finding]]]:
    """(file-level findings, entry index → findings) for every evidence-consistency problem."""
    file_level: list[Finding] = []
    per_entry: dict[int, list[Finding]] = {}
    for p in semantic_problems(statement):
        if p.entry is None:
            if p.field == "statistics.alpha_split":
                continue  # the total: reported by the protocol checks (SA202)
            # a part outside (0, 1) contradicts the format: structural (SA109)
            file_level.append(
                Finding(
                    "SA109",
                    Severity.ERROR,
                    p.message,
                    predicate_pointer(p.field),
                    data={"field": p.field},
                    structural=True,
                )
            )
        else:
            per_entry.setdefault(p.entry, []).append(_finding(p))
    pred = statement["predicate"]
    seen: dict[str, int] = {}
    for i, entry in enumerate(pred["entries"]):
        digest = entry.get("input_sha256")
        if digest is None:
            continue
        first = seen.setdefault(digest, i)
        if first != i:
            per_entry.setdefault(i, []).append(
                Finding(
                    "SA105",
                    Severity.ERROR,
                    f"input digest duplicates entry {first}: the same input is counted twice",
                    entry_pointer(i, "input_sha256"),
                    i,
                )
            )
    output = pred["guarantee"]["output"]
    for i, entry in enumerate(pred["entries"]):
        need = "counts" if output == "hard" else "scores"
        if entry.get(need) is None:
            per_entry.setdefault(i, []).append(
                Finding(
                    "SA107",
                    Severity.ERROR,
                    f"{output} output needs '{need}'",
                    entry_pointer(i, need),
                    i,
                    {"field": need},
                    structural=True,
                )
            )
    return file_level, per_entry
