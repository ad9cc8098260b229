"""File summary: claimed vs re-derived certified accuracy, population lower bounds (the gates use them too).

Definitions (exact rationals): an entry is *certified at radius r* when its claim does not abstain, its label
equals the known true label, and its radius is ≥ r. *Claimed* accuracy uses the claimed radius of every entry;
*re-derived* accuracy uses min(claimed, re-derived) and only entries whose evidence and protocol checks passed
(inflated entries count at their re-derived radius). Both divide by the number of entries m. The population
lower bound is ``audit.theory``'s ``population_lower_bound(re-derived accuracy, alpha, rho, m)``, shown for
every summary row with the row's rho, or :data:`DEFAULT_RHO` when the row states none
(``SummaryRow.rho_source`` says which); a claimed population bound is only compared under the row's own rho.
The bound needs independent failures across entries: when ``population_void`` gives a reason (entries share
a seed, :mod:`audit.verify.seeds`), no row shows one and a row that claims one gets ``SA207`` (error); the
policy's population gates fail (:mod:`audit.verify.policy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from audit.errors import AuditError
from audit.format import Entry, Predicate
from audit.format.model import AccuracyRow
from audit.format.numbers import decimal_string, parse_decimal
from audit.theory import certified_at, mp_backend, population_lower_bound
from audit.verify.verdicts import EntryResult, Finding, Rule, Severity, SummaryRow, Verdict

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


def population_lower(acc: Fraction, alpha: Fraction, rho: Fraction, m: int, dps: int) -> Fraction | None:
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
    m = len(pred.entries)
    rows: list[SummaryRow] = []
    findings: list[Finding] = []
    for i, row in enumerate(pred.summary.certified_accuracy):
        red = rederived_accuracy(results, row.radius.value)
        rho_text = row.rho.text if row.rho else None
        used_rho = rho_text if rho_text is not None else default_rho
        pop = None
        if m > 0 and population_void is None:
            pop = population_lower(red, pred.statistics.alpha.value, parse_decimal(used_rho), m, dps)
        claimed_pop = row.population_lower.text if row.population_lower else None
        rows.append(
            SummaryRow(row.radius.text, row.claimed.text, decimal_string(red, 20, "down"),
                       decimal_string(pop, 20, "down") if pop is not None else None, used_rho, claimed_pop,
                       "certificate" if rho_text is not None else "default")
        )  # fmt: skip
        findings += _accuracy_findings(pred, i, row, red)
        findings += _population_findings(i, row, pop, population_void)
    return rows, findings


def _accuracy_findings(pred: Predicate, i: int, row: AccuracyRow, red: Fraction) -> list[Finding]:
    """SA501 when the claimed accuracy exceeds what the entries' own claims, or the re-derivation, give."""
    ptr = f"/predicate/summary/certified_accuracy/{i}/claimed"
    head = f"claimed certified accuracy {row.claimed} at radius {row.radius} exceeds the"
    from_claims = claimed_accuracy(pred.entries, row.radius.value)
    if row.claimed.value > from_claims:
        msg = (
            f"{head} fraction of entries whose own claims reach that radius "
            f"({decimal_string(from_claims, 8, 'down')})"
        )
        return [Finding(Rule.SUMMARY_MISMATCH, Severity.ERROR, msg, ptr)]
    if row.claimed.value > red:
        msg = f"{head} re-derived {decimal_string(red, 8, 'down')}"
        return [Finding(Rule.SUMMARY_MISMATCH, Severity.ERROR, msg, ptr)]
    return []


def _population_findings(i: int, row: AccuracyRow, pop: Fraction | None, void: str | None) -> list[Finding]:
    """A claimed population bound that cannot hold (shared seeds: SA207) or exceeds the re-derived one under
    the row's own rho (SA501)."""
    if not row.population_lower:
        return []
    ptr = f"/predicate/summary/certified_accuracy/{i}/population_lower"
    claimed = row.population_lower
    out = []
    if void is not None:
        msg = f"claimed population lower bound {claimed} at radius {row.radius} does not hold: {void}"
        out.append(Finding(Rule.SEED_SHARED, Severity.ERROR, msg, ptr))
    if row.rho and pop is not None and claimed.value > pop:
        msg = (
            f"claimed population lower bound {claimed} at radius {row.radius} (rho={row.rho}) "
            f"exceeds the re-derived {decimal_string(pop, 8, 'down')}"
        )
        out.append(Finding(Rule.SUMMARY_MISMATCH, Severity.ERROR, msg, ptr))
    return out
