"""Re-derivation of one entry's radius at high precision and the exact comparison with its claim.

Guarantees: the theory layer's ``derive`` is called with exactly the stated family, radius method, interval
and alpha, at ``dps`` digits; it returns the lower end of an enclosing bracket. The claim (a decimal string)
is compared with that lower end as exact rationals. When the claim lies above the lower end but within the
bracket's possible width, the derivation is repeated at 2×, then 4× the digits; a claim still undecided is
reported ``inflated`` (never passed on an unresolved comparison). "Rounding only" means the excess is at most
:data:`ROUNDING_ULPS` ulps of the float64 claim.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from typing import Any

from audit.errors import AuditError
from audit.format import Entry, Predicate
from audit.format.model import replace
from audit.format.numbers import decimal_string, printed_interval
from audit.verify.counterexample import counterexample
from audit.verify.derivation import Derived, derive_entry
from audit.verify.pointers import entry_pointer
from audit.verify.slack import slack_notes
from audit.verify.verdicts import EntryResult, Finding, Rule, Severity, Verdict

ROUNDING_ULPS = 4
FLOAT64_MAX = Fraction(sys.float_info.max)
MAX_ESCALATIONS = 2


def ulps(excess: Fraction, reference: Fraction) -> int | None:
    """``excess`` in ulps of float64(``reference``), rounded up (≥ 1 for any positive excess); ``None`` when
    ``reference`` lies beyond the float64 range (such a claim is no float, so "ulps" mean nothing)."""
    if excess <= 0:
        return 0
    if abs(reference) > FLOAT64_MAX:
        return None
    return math.ceil(excess / Fraction(math.ulp(float(reference))))


def _ambiguous(excess: Fraction, derived: Fraction, dps: int) -> bool:
    width = (abs(derived) + 1) * Fraction(1, 10 ** (dps - 6))
    return 0 < excess <= width


def printed_radius_finding(pred: Predicate, i: int, entry: Entry, der: Derived, dps: int) -> Finding | None:
    """For imported entries (``imported.printed_radius``): the count must reproduce the printed text."""
    text = entry.imported.printed_radius if entry.imported else None
    if not isinstance(text, str):
        return None
    try:
        lo, hi = printed_interval(text)
    except ValueError as exc:
        msg = f"printed radius {text!r}: {exc}"
        return Finding(Rule.PRINTED_RADIUS, Severity.ERROR, msg, entry_pointer(i, "imported"), i)
    assert der.radius is not None and entry.counts is not None and entry.claim.label is not None
    if lo <= der.radius <= hi:
        return None
    st = pred.statistics
    counts = [0] * len(entry.counts)
    counts[entry.claim.label] = st.n
    top = derive_entry(pred, replace(entry, counts=counts), dps)
    if top.radius is not None and lo > top.radius:
        why = (
            f"printed radius {text} exceeds the largest radius reachable at n={st.n}, alpha={st.alpha} "
            f"({decimal_string(top.radius, 3, 'up')}; exactly {decimal_string(top.radius, 12, 'down')}...)"
        )
    else:
        why = (
            f"no count at n={st.n}, alpha={st.alpha} gives a radius that prints as {text} "
            f"(the recorded count gives {decimal_string(der.radius, 12, 'down')}; neighbouring counts jump "
            f"over [{decimal_string(lo, 6, 'down')}, {decimal_string(hi, 6, 'down')}])"
        )
    return Finding(
        Rule.PRINTED_RADIUS, Severity.ERROR, why, entry_pointer(i, "imported", "printed_radius"), i
    )


def rederive_entry(
    pred: Predicate, i: int, entry: Entry, dps: int, *, with_slack: bool = True, samples: Any = None
) -> EntryResult:
    """Verdict ``certified`` / ``inflated`` / ``should-abstain`` for an entry whose checks passed.

    ``samples``: per-sample scores from the entry's verified sidecar (``betting``), else ``None``.
    """
    claim = entry.claim
    assert claim.radius is not None
    res = EntryResult(index=i, id=entry.id, verdict=Verdict.CERTIFIED, claimed=claim.radius.text,
                      label=claim.label, true_label=entry.true_label)  # fmt: skip
    try:
        der = derive_entry(pred, entry, dps, samples=samples)
    except AuditError as exc:
        res.verdict = Verdict.INCONSISTENT_EVIDENCE
        msg = f"cannot re-derive: {exc.message}"
        res.findings.append(Finding(Rule.EVIDENCE_MISSING, Severity.ERROR, msg, entry_pointer(i), i))
        return res
    if der.radius is None:
        res.verdict = Verdict.SHOULD_ABSTAIN
        msg = f"the evidence supports no radius ({der.reason}) but the claim is radius {claim.radius}"
        res.findings.append(
            Finding(
                Rule.SHOULD_ABSTAIN,
                Severity.ERROR,
                msg,
                entry_pointer(i, "claim"),
                i,
                data={"bounds": der.bounds},
            )
        )
        return res
    printed = printed_radius_finding(pred, i, entry, der, dps)
    if printed is not None:
        res.verdict = Verdict.INCONSISTENT_EVIDENCE
        res.derived = der.radius_text
        res.findings.append(printed)
        return res
    der, digits = _decide(pred, entry, der, dps, samples)
    res.derived = der.radius_text
    assert der.radius is not None
    if claim.radius.value <= der.radius:
        _certified(res, pred, i, entry, der, with_slack, samples)
    else:
        _inflated(res, pred, i, claim.radius.value, der, digits)
    return res


def _decide(pred: Predicate, entry: Entry, der: Derived, dps: int, samples: Any) -> tuple[Derived, int]:
    """Re-derive at 2×, 4× the digits while the claim sits within the bracket width above the lower end."""
    assert entry.claim.radius is not None and der.radius is not None
    claimed, digits = entry.claim.radius.value, dps
    for _ in range(MAX_ESCALATIONS):
        if not _ambiguous(claimed - der.radius, der.radius, digits):
            break
        digits *= 2
        der = derive_entry(pred, entry, digits, samples=samples)
        assert der.radius is not None
    return der, digits


def _certified(
    res: EntryResult, pred: Predicate, i: int, entry: Entry, der: Derived, with_slack: bool, samples: Any
) -> None:
    assert der.radius is not None
    ptr = entry_pointer(i, "claim", "radius")
    msg = f"claimed {entry.claim.radius} <= re-derived {der.radius_text}"
    res.findings.append(Finding(Rule.CERTIFIED, Severity.NOTE, msg, ptr, i))
    if not with_slack:
        return
    res.slack = slack_notes(pred, entry, der.radius, samples)
    for s in res.slack:
        msg = f"{s.method} gives radius {s.radius} from the same evidence"
        res.findings.append(Finding(Rule.SLACK, Severity.NOTE, msg, ptr, i))


def _inflated(
    res: EntryResult, pred: Predicate, i: int, claimed: Fraction, der: Derived, digits: int
) -> None:
    assert der.radius is not None
    excess = claimed - der.radius
    res.verdict = Verdict.INFLATED
    res.excess = decimal_string(excess, 6, "up")
    res.excess_ulps = ulps(excess, claimed)
    res.rounding_only = res.excess_ulps is not None and res.excess_ulps <= ROUNDING_ULPS
    rel = decimal_string(excess / der.radius * 100, 4, "up") if der.radius > 0 else "inf"
    head = f"claimed {res.claimed} exceeds the re-derived {der.radius_text} by {res.excess}"
    if res.rounding_only:
        msg = f"{head} ({res.excess_ulps} ulp of the float64 claim): float rounding toward the wrong side"
        rule = Rule.INFLATED_ROUNDING
    else:
        in_ulps = "beyond the float64 range" if res.excess_ulps is None else f"{res.excess_ulps} ulp"
        msg = f"{head} ({rel}% ; {in_ulps})"
        rule = Rule.INFLATED
    if _ambiguous(excess, der.radius, digits):
        msg += f" (undecided even at {digits} digits; refused)"
    ptr = entry_pointer(i, "claim", "radius")
    data = {"excess": res.excess, "excess_ulps": res.excess_ulps, "bounds": der.bounds}
    res.findings.append(Finding(rule, Severity.ERROR, msg, ptr, i, data=data))
    res.counterexample = counterexample(pred, der, claimed)
    if res.counterexample is not None:
        res.findings.append(Finding(Rule.COUNTEREXAMPLE, Severity.NOTE, res.counterexample.summary, ptr, i))
