"""Re-derivation of one entry's radius at high precision and the exact comparison with its claim.

Guarantees: the theory layer's ``derive`` is called with exactly the stated family, radius method, interval
and alpha, at ``dps`` digits; it returns the lower end of an enclosing bracket. The claim (a decimal string)
is compared with that lower end as exact rationals. When the claim lies above the lower end but within the
bracket's possible width, the derivation is repeated at 2×, then 4× the digits; a claim still undecided is
reported ``inflated`` (never passed on an unresolved comparison). "Rounding only" means the excess is at most
:data:`ROUNDING_ULPS` ulps of the float64 claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from audit.errors import AuditError
from audit.verify import theory_api
from audit.verify.counterexample import counterexample
from audit.verify.exact import to_decimal_str, to_fraction, ulps
from audit.verify.importers.printed import printed_interval
from audit.verify.pointers import entry_pointer
from audit.verify.slack import slack_notes
from audit.verify.verdicts import EntryResult, Finding, Severity, Verdict

ROUNDING_ULPS = 4
MAX_ESCALATIONS = 2


def _ambiguous(excess: Fraction, derived: Fraction, dps: int) -> bool:
    width = (abs(derived) + 1) * Fraction(1, 10 ** (dps - 6))
    return 0 < excess <= width


def derive_exact(
    pred: Mapping[str, Any], entry: Mapping[str, Any], dps: int, samples: Any = None
) -> theory_api.Derived:
    return theory_api.derive_entry(pred, entry, entry["claim"]["label"], dps, samples=samples)


def printed_radius_finding(
    pred: Mapping[str, Any], i: int, entry: Mapping[str, Any], der: theory_api.Derived, dps: int
) -> Finding | None:
    """For imported entries (``imported.printed_radius``): the count must reproduce the printed text."""
    imported = entry.get("imported")
    if not isinstance(imported, dict) or not isinstance(imported.get("printed_radius"), str):
        return None
    text = imported["printed_radius"]
    try:
        lo, hi = printed_interval(text)
    except ValueError as exc:
        msg = f"printed radius {text!r}: {exc}"
        return Finding("SA106", Severity.ERROR, msg, entry_pointer(i, "imported"), i)
    assert der.radius is not None
    if lo <= der.radius <= hi:
        return None
    st = pred["statistics"]
    best = dict(entry)
    counts = [0] * len(entry["counts"])
    counts[entry["claim"]["label"]] = st["n"]
    best["counts"] = counts
    top = derive_exact(pred, best, dps)
    if top.radius is not None and lo > top.radius:
        why = (
            f"printed radius {text} exceeds the largest radius reachable at n={st['n']}, alpha={st['alpha']} "
            f"({to_decimal_str(top.radius, 3, 'up')}; exactly {to_decimal_str(top.radius, 12)}...)"
        )
    else:
        why = (
            f"no count at n={st['n']}, alpha={st['alpha']} gives a radius that prints as {text} "
            f"(the recorded count gives {to_decimal_str(der.radius, 12)}; neighbouring counts jump over "
            f"[{to_decimal_str(lo, 6)}, {to_decimal_str(hi, 6)}])"
        )
    return Finding("SA106", Severity.ERROR, why, entry_pointer(i, "imported", "printed_radius"), i)


def rederive_entry(
    pred: Mapping[str, Any],
    i: int,
    entry: Mapping[str, Any],
    dps: int,
    *,
    with_slack: bool = True,
    samples: Any = None,
) -> EntryResult:
    """Verdict ``certified`` / ``inflated`` / ``should-abstain`` for an entry whose checks passed.

    ``samples``: per-sample scores from the entry's verified sidecar (``betting``), else ``None``.
    """
    claim = entry["claim"]
    res = EntryResult(
        index=i,
        id=entry["id"],
        verdict=Verdict.CERTIFIED,
        claimed=claim["radius"],
        label=claim["label"],
        true_label=entry.get("true_label"),
    )
    try:
        der = derive_exact(pred, entry, dps, samples)
    except AuditError as exc:
        res.verdict = Verdict.INCONSISTENT_EVIDENCE
        res.findings.append(
            Finding("SA107", Severity.ERROR, f"cannot re-derive: {exc.message}", entry_pointer(i), i)
        )
        return res
    if der.radius is None:
        res.verdict = Verdict.SHOULD_ABSTAIN
        res.derived = None
        res.findings.append(
            Finding(
                "SA303",
                Severity.ERROR,
                f"the evidence supports no radius ({der.reason}) but the claim is radius {claim['radius']}",
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
    claimed = to_fraction(claim["radius"])
    derived = der.radius
    excess = claimed - derived
    digits = dps
    for _ in range(MAX_ESCALATIONS):
        if not _ambiguous(excess, derived, digits):
            break
        digits *= 2
        der = derive_exact(pred, entry, digits, samples)
        assert der.radius is not None
        derived = der.radius
        excess = claimed - derived
    res.derived = der.radius_text
    if excess <= 0:
        res.findings.append(
            Finding(
                "SA304",
                Severity.NOTE,
                f"claimed {claim['radius']} <= re-derived {der.radius_text}",
                entry_pointer(i, "claim", "radius"),
                i,
            )
        )
        if with_slack:
            res.slack = slack_notes(pred, entry, derived, samples)
            for s in res.slack:
                res.findings.append(
                    Finding(
                        "SA401",
                        Severity.NOTE,
                        f"{s['method']} gives radius {s['radius']} from the same evidence",
                        entry_pointer(i, "claim", "radius"),
                        i,
                    )
                )
        return res
    res.verdict = Verdict.INFLATED
    res.excess = to_decimal_str(excess, 6, "up")
    res.excess_ulps = ulps(excess, claimed)
    res.rounding_only = res.excess_ulps <= ROUNDING_ULPS
    rel = to_decimal_str(excess / derived * 100, 4, "up") if derived > 0 else "inf"
    undecided = _ambiguous(excess, derived, digits)
    if res.rounding_only:
        msg = (
            f"claimed {claim['radius']} exceeds the re-derived {der.radius_text} by {res.excess} "
            f"({res.excess_ulps} ulp of the float64 claim): float rounding toward the wrong side"
        )
        rule = "SA302"
    else:
        msg = (
            f"claimed {claim['radius']} exceeds the re-derived {der.radius_text} by {res.excess} "
            f"({rel}% ; {res.excess_ulps} ulp)"
        )
        rule = "SA301"
    if undecided:
        msg += f" (undecided even at {digits} digits; refused)"
    res.findings.append(
        Finding(
            rule,
            Severity.ERROR,
            msg,
            entry_pointer(i, "claim", "radius"),
            i,
            data={"excess": res.excess, "excess_ulps": res.excess_ulps, "bounds": der.bounds},
        )
    )
    res.counterexample = counterexample(pred, der, claimed)
    if res.counterexample is not None:
        res.findings.append(
            Finding(
                "SA402",
                Severity.NOTE,
                res.counterexample["summary"],
                entry_pointer(i, "claim", "radius"),
                i,
            )
        )
    return res
