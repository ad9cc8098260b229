"""File summary and policy gates: claimed vs re-derived certified accuracy, population lower bounds.

Definitions (exact rationals): an entry is *certified at radius r* when its claim does not abstain, its label
equals the known true label, and its radius is ≥ r. *Claimed* accuracy uses the claimed radius of every entry;
*re-derived* accuracy uses min(claimed, re-derived) and only entries whose evidence and protocol checks passed
(inflated entries count at their re-derived radius). Both divide by the number of entries m. The population
lower bound is ``audit.theory``'s ``population_lower_bound(re-derived accuracy, alpha, rho, m)``, shown for
every summary row with the row's rho, or :data:`DEFAULT_RHO` when the row states none
(``SummaryRow.rho_source`` says which); a claimed population bound is only compared under the row's own rho.
The bound needs independent failures across entries: when ``population_void`` gives a reason (entries share
a seed, :mod:`audit.verify.seeds`), no row shows one, a row that claims one gets ``SA207`` (error) and every
population gate fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from audit.errors import AuditError
from audit.format import Entry, Predicate
from audit.format.numbers import decimal_string, parse_decimal
from audit.theory import certified_at, mp_backend, population_lower_bound
from audit.verify.policy import Gate, Policy
from audit.verify.verdicts import EntryResult, Finding, GateResult, Rule, Severity, SummaryRow, Verdict

_COUNTED = (Verdict.CERTIFIED, Verdict.INFLATED)
DEFAULT_RHO = "0.001"


def claimed_accuracy(entries: Sequence[Entry], radius: Fraction) -> Fraction:
    """Fraction of entries whose own claim is certified at ``radius`` (0 for no entries)."""
    if not entries:
        return Fraction(0)
    hits = sum(
        certified_at(e.claim.label, e.true_label, e.claim.radius.value if e.claim.radius else None, radius)
        for e in entries
    )
    return Fraction(hits, len(entries))


def rederived_accuracy(results: Sequence[EntryResult], radius: Fraction) -> Fraction:
    if not results:
        return Fraction(0)
    hits = 0
    for r in results:
        if r.verdict not in _COUNTED or r.claimed is None or r.derived is None:
            continue
        supported = min(parse_decimal(r.claimed), parse_decimal(r.derived))
        hits += certified_at(r.label, r.true_label, supported, radius)
    return Fraction(hits, len(results))


def _pop(acc: Fraction, alpha: Fraction, rho: Fraction, m: int, dps: int) -> Fraction | None:
    """Population lower bound (lower end, exact), or None when the theory layer refuses (gates then fail)."""
    B = mp_backend(dps)
    try:
        return B.to_fraction(population_lower_bound(acc, alpha, rho, m, backend=B).value)
    except AuditError:
        return None


def build_summary(
    pred: Predicate,
    results: Sequence[EntryResult],
    dps: int,
    default_rho: str = DEFAULT_RHO,
    *,
    population_void: str | None = None,
) -> tuple[list[SummaryRow], list[Finding]]:
    """One row per claimed summary radius; SA501 where a claim exceeds what re-derivation gives."""
    entries = pred.entries
    alpha = pred.statistics.alpha.value
    m = len(entries)
    rows: list[SummaryRow] = []
    findings: list[Finding] = []
    for i, row in enumerate(pred.summary.certified_accuracy):
        r = row.radius.value
        red = rederived_accuracy(results, r)
        claimed = row.claimed.value
        rho_text = row.rho.text if row.rho else None
        used_rho = rho_text if rho_text is not None else default_rho
        claimed_pop = row.population_lower.text if row.population_lower else None
        pop = None
        if m > 0 and population_void is None:
            pop = _pop(red, alpha, parse_decimal(used_rho), m, dps)
        rows.append(
            SummaryRow(
                row.radius.text,
                row.claimed.text,
                decimal_string(red, 20, "down"),
                decimal_string(pop, 20, "down") if pop is not None else None,
                used_rho,
                claimed_pop,
                "certificate" if rho_text is not None else "default",
            )
        )
        ptr = f"/predicate/summary/certified_accuracy/{i}"
        from_claims = claimed_accuracy(entries, r)
        if claimed > from_claims:
            findings.append(
                Finding(
                    Rule.SUMMARY_MISMATCH,
                    Severity.ERROR,
                    f"claimed certified accuracy {row.claimed} at radius {row.radius} exceeds the "
                    f"fraction of entries whose own claims reach that radius "
                    f"({decimal_string(from_claims, 8, 'down')})",
                    ptr + "/claimed",
                )
            )
        elif claimed > red:
            findings.append(
                Finding(
                    Rule.SUMMARY_MISMATCH,
                    Severity.ERROR,
                    f"claimed certified accuracy {row.claimed} at radius {row.radius} exceeds the "
                    f"re-derived {decimal_string(red, 8, 'down')}",
                    ptr + "/claimed",
                )
            )
        if claimed_pop is not None and population_void is not None:
            findings.append(
                Finding(
                    Rule.SEED_SHARED,
                    Severity.ERROR,
                    f"claimed population lower bound {claimed_pop} at radius {row.radius} does not hold: "
                    f"{population_void}",
                    ptr + "/population_lower",
                )
            )
        stated = rho_text is not None and claimed_pop is not None
        if stated and pop is not None and parse_decimal(claimed_pop) > pop:
            findings.append(
                Finding(
                    Rule.SUMMARY_MISMATCH,
                    Severity.ERROR,
                    f"claimed population lower bound {claimed_pop} at radius {row.radius} "
                    f"(rho={rho_text}) "
                    f"exceeds the re-derived {decimal_string(pop, 8, 'down')}",
                    ptr + "/population_lower",
                )
            )
    return rows, findings


def _gate_value(gate: Gate, pred: Predicate, results: Sequence[EntryResult], dps: int) -> Fraction | None:
    if gate.metric == "claimed":
        return claimed_accuracy(pred.entries, gate.radius)
    red = rederived_accuracy(results, gate.radius)
    if gate.metric == "rederived":
        return red
    assert gate.rho is not None
    return _pop(red, pred.statistics.alpha.value, gate.rho, max(len(results), 1), dps)


def evaluate_gates(
    policy: Policy | None,
    pred: Predicate | None,
    results: Sequence[EntryResult],
    dps: int,
    *,
    population_void: str | None = None,
) -> list[GateResult]:
    """Every policy gate, compared exactly; a gate that cannot be evaluated fails (never passes silently).

    A population gate fails when ``population_void`` says why no population bound holds.
    """
    if policy is None:
        return []
    out: list[GateResult] = []
    for gate in policy.gates:
        thr = gate.minimum_text
        if pred is None:
            msg = "certificate not verified: gate not evaluated"
            out.append(GateResult(gate.name, False, msg, None, thr))
            continue
        norm = pred.guarantee.norm
        if gate.norm is not None and gate.norm != norm:
            msg = f"gate is for {gate.norm} but the certificate certifies {norm}"
            out.append(GateResult(gate.name, False, msg, None, thr))
            continue
        if not results:
            out.append(GateResult(gate.name, False, "certificate has no entries", None, thr))
            continue
        if gate.metric == "population_lower" and population_void is not None:
            msg = f"no population lower bound: {population_void}"
            out.append(GateResult(gate.name, False, msg, None, thr))
            continue
        value = _gate_value(gate, pred, results, dps)
        if value is None:
            msg = "population lower bound unavailable: gate not evaluated"
            out.append(GateResult(gate.name, False, msg, None, thr))
            continue
        ok = value >= gate.minimum
        rho = f", rho={gate.rho_text}" if gate.rho_text else ""
        msg = (
            f"{gate.metric} certified accuracy at {norm} radius {gate.radius_text}{rho} = "
            f"{decimal_string(value, 6, 'down')} {'>=' if ok else '<'} {thr}"
        )
        out.append(GateResult(gate.name, ok, msg, decimal_string(value, 20, "down"), thr))
    return out
