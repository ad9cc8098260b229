"""Protocol checks: label selection, per-input seeds, alpha budget, interval validity, population rho.

Guarantees: every violation is an ``error`` finding with a stable rule id and a JSON pointer. File-level
protocol violations void every entry's guarantee (the pipeline marks those entries ``protocol-violation``);
entry-level ones (the certified label is not the selected one, the seed is not the declared rule's) apply to
that entry only. Selection reuse
states the effective failure bound ``reuse_failure_bound(alpha, c)`` from the theory layer.
"""

from __future__ import annotations

from fractions import Fraction

from audit.format import Entry, Predicate
from audit.format.numbers import decimal_string
from audit.theory import methods, reuse_failure_bound
from audit.verify.pointers import entry_pointer
from audit.verify.seeds import entry_seed_findings
from audit.verify.verdicts import Finding, Rule, Severity


def file_protocol_findings(pred: Predicate) -> list[Finding]:
    """Violations that void every entry: asymptotic interval, selection reuse, alpha overspent, no rho."""
    st = pred.statistics
    out: list[Finding] = []
    alpha = st.alpha.value
    c = st.num_classes
    if not methods.interval(st.interval).finite_sample:
        out.append(
            Finding(
                Rule.ASYMPTOTIC,
                Severity.ERROR,
                f"interval '{st.interval}' is asymptotic: it has no finite-sample coverage guarantee, "
                "so no radius derived from it is certified",
                "/predicate/statistics/interval",
            )
        )
    if st.selection == "estimation-reuse":
        eff = reuse_failure_bound(alpha, c)
        out.append(
            Finding(
                Rule.SELECTION_REUSE,
                Severity.ERROR,
                f"the certified label was picked as the argmax of the estimation counts and then bounded at "
                f"alpha={st.alpha}: the failure probability is only bounded by "
                f"{decimal_string(eff, 6, 'up')} "
                f"(union over c={c} classes), not {st.alpha}",
                "/predicate/statistics/selection",
                data={"effective_failure_bound": decimal_string(eff, 20, "up")},
            )
        )
    total = sum((part.alpha.value for part in st.alpha_split), Fraction(0))
    if total > alpha:
        out.append(
            Finding(
                Rule.ALPHA_OVERSPENT,
                Severity.ERROR,
                f"alpha overspent: the bounds spend {decimal_string(total, 20, 'up')} in total, "
                f"more than the stated alpha={st.alpha}",
                "/predicate/statistics/alpha_split",
                data={"spent": decimal_string(total, 20, "up"), "alpha": str(st.alpha)},
            )
        )
    for i, row in enumerate(pred.summary.certified_accuracy):
        if row.population_lower and not row.rho:
            out.append(
                Finding(
                    Rule.RHO_MISSING,
                    Severity.ERROR,
                    f"summary row {i} claims a population lower bound without stating rho",
                    f"/predicate/summary/certified_accuracy/{i}/rho",
                )
            )
    return out


def entry_protocol_findings(pred: Predicate, i: int, entry: Entry) -> list[Finding]:
    """The seed must follow the declared rule (``SA208``, :mod:`audit.verify.seeds`); the certified label
    must be the one the stated selection protocol picks (``SA205``)."""
    seeds = entry_seed_findings(pred, i, entry)
    if entry.claim.abstain:
        return seeds
    return seeds + _selection_findings(pred, i, entry)


def _selection_findings(pred: Predicate, i: int, entry: Entry) -> list[Finding]:
    label = entry.claim.label
    if pred.statistics.selection == "separate-draw":
        sel = entry.selection_counts
        if sel is None or label is None or not 0 <= label < len(sel):
            return []  # an evidence problem, reported there
        top = max(sel)
        if sel[label] != top:
            return [
                Finding(
                    Rule.LABEL_NOT_SELECTED,
                    Severity.ERROR,
                    f"certified label {label} is not the argmax of the selection draw "
                    f"({sel[label]} vs {top} votes): the label was not chosen by the stated protocol",
                    entry_pointer(i, "claim", "label"),
                    i,
                )
            ]
    elif pred.statistics.selection == "fixed-label":
        true = entry.true_label
        if true is not None and label != true:
            return [
                Finding(
                    Rule.LABEL_NOT_SELECTED,
                    Severity.ERROR,
                    f"selection is fixed-label but the certified label {label} differs from the true label "
                    f"{true} fixed in advance",
                    entry_pointer(i, "claim", "label"),
                    i,
                )
            ]
    return []
