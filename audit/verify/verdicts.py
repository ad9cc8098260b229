"""Verdict types: one result per entry, per file check and per policy gate.

Guarantees: every :class:`Finding` carries a stable rule id (:class:`Rule`) and a JSON pointer into the
certificate statement (or the envelope), so every verdict can be explained and located. A file passes only if
no finding has severity ``error``. A finding is *structural* when the document contradicts itself (counts
not adding up to n, a label out of range, ...): :attr:`FileReport.exit_code` is then 2 (malformed input),
while the entry keeps its ``inconsistent-evidence`` verdict in every report. A file that could not be read at
all is a :class:`FileReport` with ``error`` set (:meth:`FileReport.unreadable`): it fails with exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from audit.errors import FormatError
from audit.escape import unicode_text
from audit.format.numbers import decimal_string
from audit.theory.methods.base import Witness


class Verdict(StrEnum):
    """Per-entry verdict, ordered from best to worst by :data:`SEVERITY_ORDER`."""

    CERTIFIED = "certified"
    ABSTAINED = "abstained"  # the claim abstains: it asserts nothing, so it always holds
    INFLATED = "inflated"
    SHOULD_ABSTAIN = "should-abstain"
    PROTOCOL_VIOLATION = "protocol-violation"
    INCONSISTENT_EVIDENCE = "inconsistent-evidence"


PASSING_VERDICTS = frozenset({Verdict.CERTIFIED, Verdict.ABSTAINED})

# When several problems apply, the entry gets the worst: evidence first (nothing else means anything without
# it), then protocol (the bound's guarantee is void), then the numeric comparison.
SEVERITY_ORDER: dict[Verdict, int] = {
    Verdict.CERTIFIED: 0,
    Verdict.ABSTAINED: 0,
    Verdict.INFLATED: 1,
    Verdict.SHOULD_ABSTAIN: 2,
    Verdict.PROTOCOL_VIOLATION: 3,
    Verdict.INCONSISTENT_EVIDENCE: 4,
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Rule(StrEnum):
    """Every check's stable id (the value, as written in reports), with a slug and a description."""

    # file level: signature, subject, size/schema (schema errors are InputErrors → exit 2)
    SIGNATURE_INVALID = (
        "SA001",
        "signature-invalid",
        "The DSSE signature does not verify over the exact payload bytes.",
    )
    UNSIGNED = "SA002", "unsigned", "The certificate carries no signature."
    UNTRUSTED_KEY = "SA003", "untrusted-key", "The signature verifies under no trusted key."
    SUBJECT_MISMATCH = (
        "SA004",
        "subject-digest-mismatch",
        "A model file's sha256 differs from the certificate subject.",
    )
    NO_TRUSTED_KEYS = (
        "SA005",
        "no-trusted-keys",
        "No trusted key was given, so the signature cannot be checked.",
    )
    MODEL_FILES_MISMATCH = (
        "SA006",
        "model-files-mismatch",
        "predicate.model_files does not agree with the subject digest.",
    )
    # evidence consistency
    COUNTS_INVALID = "SA101", "counts-invalid", "Counts are not non-negative integers summing to n."
    LABEL_OUT_OF_RANGE = (
        "SA102",
        "label-out-of-range",
        "A label is outside 0..c-1 or a count vector has the wrong length.",
    )
    SELECTION_SIZE = "SA103", "selection-size-mismatch", "The selection draw does not contain n0 samples."
    SCORES_IMPOSSIBLE = (
        "SA104",
        "scores-impossible",
        "Score statistics are impossible for [0,1] scores over n samples.",
    )
    DUPLICATE_ENTRY = "SA105", "duplicate-entry", "The same input appears more than once."
    PRINTED_RADIUS = (
        "SA106",
        "printed-radius-unreachable",
        "No count at the stated (n, alpha) gives that radius.",
    )
    EVIDENCE_MISSING = "SA107", "evidence-missing", "The evidence needed for the claimed method is missing."
    SIDECAR_MISMATCH = (
        "SA108",
        "sidecar-mismatch",
        "A per-sample score sidecar is missing, altered or malformed.",
    )
    PARAMETERS = (
        "SA109",
        "parameters-inconsistent",
        "A file-level parameter contradicts the rest of the document.",
    )
    # protocol
    SELECTION_REUSE = "SA201", "selection-reuse", "The certified label was picked from the estimation counts."
    ALPHA_OVERSPENT = "SA202", "alpha-overspent", "The alpha split over the bounds exceeds the stated alpha."
    ASYMPTOTIC = "SA203", "asymptotic-interval", "An asymptotic interval has no finite-sample guarantee."
    RHO_MISSING = "SA204", "population-rho-missing", "A population claim does not state rho."
    LABEL_NOT_SELECTED = (
        "SA205",
        "label-not-selected",
        "The certified label is not the one the selection protocol picks.",
    )
    METHOD_UNSUPPORTED = (
        "SA206",
        "method-unsupported",
        "The family / radius method / interval combination is not valid.",
    )
    SEED_SHARED = (
        "SA207",
        "seed-shared",
        "Entries with different inputs share a seed: no population bound holds.",
    )
    SEED_NOT_BY_RULE = (
        "SA208",
        "seed-not-by-rule",
        "An entry's seed is not the one the declared seed rule gives.",
    )
    SEED_RULE_UNKNOWN = (
        "SA209",
        "seed-rule-unknown",
        "The declared seed rule is unknown: seeds were not checked.",
    )
    # re-derivation
    INFLATED = "SA301", "inflated", "The claimed radius exceeds the radius re-derived at high precision."
    INFLATED_ROUNDING = (
        "SA302",
        "inflated-rounding",
        "The claim exceeds the re-derived radius by float rounding only.",
    )
    SHOULD_ABSTAIN = (
        "SA303",
        "should-abstain",
        "The evidence supports no radius, but the claim does not abstain.",
    )
    CERTIFIED = "SA304", "certified", "The claim is supported by the evidence."
    LABEL_MISMATCH = "SA305", "label-mismatch", "The claimed label differs from the evidence's label."
    # informational
    SLACK = "SA401", "slack", "Another valid method gives a larger radius from the same evidence."
    COUNTEREXAMPLE = (
        "SA402",
        "counterexample",
        "A base classifier consistent with the bounds breaks the claim.",
    )
    # summary and policy
    SUMMARY_MISMATCH = (
        "SA501",
        "summary-mismatch",
        "The claimed certified accuracy or population bound is not supported.",
    )
    POLICY_ALPHA = "SA502", "policy-alpha", "alpha exceeds the policy's maximum."
    POLICY_MIN_N = "SA503", "policy-min-n", "n is below the policy's minimum."
    POLICY_INTERVAL = "SA504", "policy-interval", "The interval method is not allowed by the policy."
    POLICY_GATE = "SA505", "policy-gate", "A policy gate on certified accuracy failed."
    POLICY_MIN_ENTRIES = (
        "SA506",
        "policy-min-entries",
        "The certificate has fewer entries than the policy's minimum (default 1: it must certify something).",
    )

    def __new__(cls, rule_id: str, slug: str = "", description: str = "") -> Rule:
        member = str.__new__(cls, rule_id)
        member._value_ = rule_id
        member.slug = slug  # type: ignore[attr-defined]
        member.description = description  # type: ignore[attr-defined]
        return member


@dataclass
class Finding:
    """One check's outcome. ``pointer`` is an RFC 6901 JSON pointer into the statement (``""`` = whole)."""

    rule: Rule
    severity: Severity
    message: str
    pointer: str = ""
    entry: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    structural: bool = False  # the document contradicts itself (exit 2); ``data["field"]`` names the field

    def __post_init__(self) -> None:
        self.rule = Rule(self.rule)  # ValueError for an unknown id

    def location_line(self, path: str) -> str:
        """``path: entry 3: field 'counts': message`` (one line, as FormatError prints it)."""
        return str(FormatError(self.message, file=path, entry=self.entry, field=self.data.get("field")))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": str(self.rule),
            "name": self.rule.slug,
            "severity": str(self.severity),
            "message": self.message,
            "pointer": self.pointer,
        }
        if self.entry is not None:
            out["entry"] = self.entry
        if self.structural:
            out["structural"] = True
        if self.data:
            out["data"] = self.data
        return out


@dataclass(frozen=True)
class SlackNote:
    """Another valid (radius method, interval) pair whose radius from the same evidence exceeds the
    re-derived one; ``radius`` is rounded toward zero to 8 significant digits."""

    method: str
    radius: str

    def to_json(self) -> dict[str, str]:
        return {"method": self.method, "radius": self.radius}


def witness_json(w: Witness) -> dict[str, str]:
    """A tightness witness as JSON: probabilities rounded to the side that keeps the witness valid."""
    return {
        "construction": w.construction,
        "delta_norm": decimal_string(w.delta_norm, 20, "down"),
        "p_label_at_x": decimal_string(w.p_label_at_x, 20, "down"),
        "p_label_at_x_plus_delta": decimal_string(w.p_label_at_x_plus_delta, 20, "up"),
        "summary": w.summary,
    }


@dataclass
class EntryResult:
    """The verdict for one entry and the findings that explain it.

    Radii are decimal strings: ``claimed`` as written, ``derived`` the re-derived lower end (rounded toward
    zero), ``excess`` = claimed − derived (exact, rounded up), ``excess_ulps`` in units of the float64 claim.
    """

    index: int
    id: str
    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)
    claimed: str | None = None
    derived: str | None = None
    excess: str | None = None
    excess_ulps: int | None = None
    rounding_only: bool = False
    label: int | None = None
    true_label: int | None = None
    slack: list[SlackNote] = field(default_factory=list)
    counterexample: Witness | None = None

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING_VERDICTS

    def explain(self) -> str:
        """One line saying why this verdict was reached."""
        errors = [f.message for f in self.findings if f.severity == Severity.ERROR]
        if errors:
            return "; ".join(errors)
        if self.verdict == Verdict.ABSTAINED:
            return "claim abstains"
        return f"claimed {self.claimed} <= re-derived {self.derived}"

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.id,
            "verdict": str(self.verdict),
            "passed": self.passed,
            "claimed": self.claimed,
            "derived": self.derived,
            "excess": self.excess,
            "excess_ulps": self.excess_ulps,
            "rounding_only": self.rounding_only,
            "label": self.label,
            "true_label": self.true_label,
            "explanation": self.explain(),
            "findings": [f.to_json() for f in self.findings],
            "slack": [n.to_json() for n in self.slack],
            "counterexample": None if self.counterexample is None else witness_json(self.counterexample),
        }


@dataclass
class GateResult:
    """A policy gate: ``value`` (decimal string) compared exactly with ``threshold``."""

    name: str
    passed: bool
    message: str
    value: str | None = None
    threshold: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
            "value": self.value,
            "threshold": self.threshold,
        }


@dataclass
class SummaryRow:
    """Certified accuracy at one radius: claimed (from the file) vs re-derived, and the population bound."""

    radius: str
    claimed: str | None
    rederived: str
    population_lower: str | None
    rho: str | None  # the rho the population bound was computed with
    claimed_population_lower: str | None = None
    rho_source: str = "certificate"  # "certificate" (the row's rho) | "default" (the verifier's default)

    def to_json(self) -> dict[str, Any]:
        return {
            "radius": self.radius,
            "claimed": self.claimed,
            "rederived": self.rederived,
            "population_lower": self.population_lower,
            "rho": self.rho,
            "rho_source": self.rho_source,
            "claimed_population_lower": self.claimed_population_lower,
        }


@dataclass
class FileReport:
    """Everything the verifier concluded about one certificate file."""

    path: str
    signature: str  # "valid" | "invalid" | "unsigned" | "untrusted-key" | "not-checked"
    findings: list[Finding] = field(default_factory=list)  # file-level
    entries: list[EntryResult] = field(default_factory=list)
    summary: list[SummaryRow] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)
    subject: str = "not-checked"  # "match" | "mismatch" | "not-checked"
    precision: int = 50
    payload_line: int = 1  # line of the envelope's "payload" member (entries live inside it)
    error: str | None = None  # the file could not be read / parsed: one line naming it (exit 2, no entries)

    def __post_init__(self) -> None:
        # a file name that is not UTF-8 arrives with lone surrogates: no report could carry it as it is
        self.path = unicode_text(self.path)
        if self.error is not None:
            self.error = unicode_text(self.error)

    @classmethod
    def unreadable(cls, path: str, message: str, *, precision: int = 50) -> FileReport:
        """The report of a file that could not be verified at all (``message``: the error's one line)."""
        return cls(path=path, signature="not-checked", precision=precision, error=message)

    @property
    def passed(self) -> bool:
        if self.error is not None:
            return False
        if any(f.severity == Severity.ERROR for f in self.findings):
            return False
        if not all(e.passed for e in self.entries):
            return False
        return all(g.passed for g in self.gates)

    def structural_findings(self) -> list[Finding]:
        """Findings saying the document contradicts itself (file level first, then by entry)."""
        out = [f for f in self.findings if f.structural]
        for e in self.entries:
            out += [f for f in e.findings if f.structural]
        return out

    @property
    def exit_code(self) -> int:
        """2 if the file is unreadable or the document contradicts itself, else 0 if all passed, else 1."""
        if self.error is not None or self.structural_findings():
            return 2
        return 0 if self.passed else 1

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {str(v): 0 for v in Verdict}
        for e in self.entries:
            out[str(e.verdict)] += 1
        return out

    def to_json(self, *, entries: bool = True) -> dict[str, Any]:
        """The JSON object; ``entries=False`` leaves ``"entries"`` empty (a streaming writer fills it)."""
        out: dict[str, Any] = {
            "path": self.path,
            "passed": self.passed,
            "exit_code": self.exit_code,
            "signature": self.signature,
            "subject": self.subject,
            "precision_digits": self.precision,
            "verdict_counts": self.counts(),
            "findings": [f.to_json() for f in self.findings],
            "entries": [e.to_json() for e in self.entries] if entries else [],
            "summary": [s.to_json() for s in self.summary],
            "gates": [g.to_json() for g in self.gates],
        }
        if self.error is not None:
            out["error"] = self.error
        return out


def worst(verdicts: list[Verdict]) -> Verdict:
    """The worst verdict of a non-empty list (ties keep the first)."""
    return max(verdicts, key=lambda v: SEVERITY_ORDER[v])
