"""Seed checks: every input has its own noise stream, derived by the rule the certificate names.

Guarantees:

* ``SA208`` (error, that entry ``protocol-violation``): ``sampler.seed_rule`` names a known rule
  (:mod:`audit.format.seeds`) and the entry's seed is not the one that rule gives (or is missing, or the
  rule cannot be applied: no ``base_seed``, an id without an index). A seed outside the rule may have been
  re-drawn after the counts were seen, which voids the entry's α.
* ``SA209`` (warning): a rule this verifier does not know; seeds are then not checked against it.
* ``SA207`` (warning, plus an error on every summary row that claims a population bound): two entries with
  different inputs record the same seed, so their noise draws are the same. Each entry's own guarantee
  stands, but the population lower bound needs independent failures across entries, so
  :func:`population_void_reason` voids it (re-derived rows show none, population gates fail).
* Entries without a seed (imported logs) are not checked for reuse; without ``seed_rule`` nothing else is.
"""

from __future__ import annotations

from audit.format import Entry, Predicate
from audit.format.seeds import KNOWN_SEED_RULES, expected_seed
from audit.verify.pointers import entry_pointer
from audit.verify.verdicts import Finding, Rule, Severity

MAX_REUSE_FINDINGS = 20  # one finding per shared seed, then one that counts the rest


def _seed_rule(pred: Predicate) -> str | None:
    rule = pred.sampler.seed_rule
    return rule if isinstance(rule, str) else None


def entry_seed_findings(pred: Predicate, i: int, entry: Entry) -> list[Finding]:
    """``SA208`` when the entry's seed is not the one the declared seed rule gives."""
    rule = _seed_rule(pred)
    if rule is None or rule not in KNOWN_SEED_RULES:
        return []
    ptr = entry_pointer(i, "seed")
    base = pred.sampler.base_seed
    if base is None:
        msg = f"sampler.seed_rule is '{rule}' but sampler.base_seed is null: the seed cannot be re-derived"
        return [Finding(Rule.SEED_NOT_BY_RULE, Severity.ERROR, msg, ptr, i)]
    want = expected_seed(rule, base, entry.id)
    if want is None:
        msg = f"seed rule '{rule}' needs an entry id ending in ':<index>', got {entry.id!r}"
        return [Finding(Rule.SEED_NOT_BY_RULE, Severity.ERROR, msg, entry_pointer(i, "id"), i)]
    got = entry.seed
    if got == want:
        return []
    shown = "no seed" if got is None else f"seed {got}"
    msg = (
        f"the entry records {shown}, but seed rule '{rule}' with base_seed={base} gives {want}: a seed "
        "outside the declared rule may have been re-drawn after the counts were seen, which voids alpha"
    )
    return [Finding(Rule.SEED_NOT_BY_RULE, Severity.ERROR, msg, ptr, i, {"expected": str(want)})]


def shared_seeds(pred: Predicate) -> list[tuple[int, list[int]]]:
    """(seed, entry indices) for every seed recorded by two or more entries with different inputs."""
    by_seed: dict[int, list[int]] = {}
    for i, e in enumerate(pred.entries):
        if e.seed is not None:
            by_seed.setdefault(e.seed, []).append(i)
    out = []
    for s, idx in by_seed.items():
        if len(idx) < 2:
            continue
        digests = {pred.entries[i].input_sha256 for i in idx}
        if len(digests) == 1 and None not in digests:
            continue  # one input listed twice: a duplicate entry (SA105), not a shared stream
        out.append((s, idx))
    return out


def population_void_reason(pred: Predicate) -> str | None:
    """Why no population lower bound holds for this file (shared seeds), or None."""
    shared = shared_seeds(pred)
    if not shared:
        return None
    entries = sum(len(idx) for _, idx in shared)
    return (
        f"{entries} entries with different inputs share {len(shared)} seed(s) (SA207): "
        "their noise draws are identical, so their failures are not independent"
    )


def file_seed_findings(pred: Predicate) -> list[Finding]:
    """Warnings: an unknown seed rule (``SA209``), seeds shared between inputs (``SA207``)."""
    out: list[Finding] = []
    rule = _seed_rule(pred)
    if rule is not None and rule not in KNOWN_SEED_RULES:
        out.append(
            Finding(
                Rule.SEED_RULE_UNKNOWN,
                Severity.WARNING,
                f"seed rule '{rule}' is not known to this verifier (known: "
                f"{', '.join(sorted(KNOWN_SEED_RULES))}): the entries' seeds were not checked against it",
                "/predicate/sampler/seed_rule",
            )
        )
    shared = shared_seeds(pred)
    for s, idx in shared[:MAX_REUSE_FINDINGS]:
        listed = ", ".join(str(i) for i in idx[:10]) + (f" and {len(idx) - 10} more" if len(idx) > 10 else "")
        out.append(
            Finding(
                Rule.SEED_SHARED,
                Severity.WARNING,
                f"entries {listed} record the same seed {s} for different inputs: their noise draws are "
                "identical, so their failures are not independent. Each entry's own guarantee stands; no "
                "population lower bound does",
                entry_pointer(idx[1], "seed"),
                data={"seed": str(s), "entries": idx},
            )
        )
    if len(shared) > MAX_REUSE_FINDINGS:
        out.append(
            Finding(
                Rule.SEED_SHARED,
                Severity.WARNING,
                f"{len(shared) - MAX_REUSE_FINDINGS} more seeds are shared between entries",
                "/predicate/entries",
            )
        )
    return out
