"""Evidence consistency: counts, labels, n0/n, score statistics, duplicate inputs.

Guarantees: uses the format layer's semantic checks (one implementation) and adds what only the verifier
needs (duplicate input digests). Entry problems become ``inconsistent-evidence`` findings (rules
SA101–SA105) with a JSON pointer; file-level problems are returned separately (rule SA109; the alpha-split
total is a protocol finding, see :mod:`audit.verify.protocol`). Each format :class:`~audit.format.Check` maps
to one rule (:data:`RULE_OF`): no rule is chosen by message text.

Structural rule: every problem the format layer's semantic check reports, except a duplicate entry id, means
the document contradicts itself (counts not adding up to n or n0, wrong length, labels out of range,
impossible score statistics, a fractional l0 radius, file parameters that disagree). Such findings are
marked ``structural`` (``data["field"]`` = the dotted field) and make ``audit verify`` exit 2. Duplicate
inputs/ids are consistent documents describing a bad evaluation: not structural (exit 1).
"""

from __future__ import annotations

from audit.format import Check, Problem, Statement, semantic_problems
from audit.verify.pointers import entry_pointer, predicate_pointer
from audit.verify.verdicts import Finding, Rule, Severity

RULE_OF: dict[Check, str] = {
    Check.PARAMETER: Rule.PARAMETERS,
    Check.COUNTS: Rule.COUNTS_INVALID,
    Check.RADIUS: Rule.COUNTS_INVALID,
    Check.COUNTS_LENGTH: Rule.LABEL_OUT_OF_RANGE,
    Check.LABEL: Rule.LABEL_OUT_OF_RANGE,
    Check.SELECTION: Rule.SELECTION_SIZE,
    Check.SCORES: Rule.SCORES_IMPOSSIBLE,
    Check.DUPLICATE_ID: Rule.DUPLICATE_ENTRY,
}
"""The rule of each semantic check (the alpha-split total is the protocol rule SA202)."""


def _finding(p: Problem) -> Finding:
    rule = RULE_OF[p.check]
    pointer = predicate_pointer(p.field, p.entry)
    structural = p.check is not Check.DUPLICATE_ID
    return Finding(
        rule, Severity.ERROR, p.message, pointer, p.entry, {"field": p.field}, structural=structural
    )


def evidence_findings(statement: Statement) -> tuple[list[Finding], dict[int, list[Finding]]]:
    """(file-level findings, entry index → findings) for every evidence-consistency problem."""
    file_level: list[Finding] = []
    per_entry: dict[int, list[Finding]] = {}
    for p in semantic_problems(statement):
        if p.check is Check.ALPHA_SPLIT_TOTAL:
            continue  # reported by the protocol checks (SA202)
        if p.entry is None:
            file_level.append(_finding(p))
        else:
            per_entry.setdefault(p.entry, []).append(_finding(p))
    seen: dict[str, int] = {}
    for i, entry in enumerate(statement.predicate.entries):
        if entry.input_sha256 is None:
            continue
        first = seen.setdefault(entry.input_sha256, i)
        if first != i:
            msg = f"input digest duplicates entry {first}: the same input is counted twice"
            per_entry.setdefault(i, []).append(
                Finding(Rule.DUPLICATE_ENTRY, Severity.ERROR, msg, entry_pointer(i, "input_sha256"), i)
            )
    return file_level, per_entry
