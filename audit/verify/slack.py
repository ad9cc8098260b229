"""Informational slack: a larger radius the same evidence supports under another *valid* method.

The alternatives are the registry's (:func:`audit.theory.methods.alternatives`): the other interval methods
that serve what the radius method needs, and the method it reduces to (e.g. the two-bound Cohen radius to
the one-bound one), skipping an interval no better than another for that need.

Guarantees: alternatives are evaluated with the theory layer's float path (whose radii are nudged below the
exact value, so a reported slack radius is never above what that method supports) and reported only when
strictly larger than the re-derived radius. Slack never changes a verdict.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from audit.errors import AuditError
from audit.format import Entry, Predicate
from audit.format.numbers import decimal_string
from audit.theory import Evidence, methods
from audit.verify.derivation import derive_entry
from audit.verify.verdicts import SlackNote


def slack_notes(pred: Predicate, entry: Entry, derived: Fraction, samples: Any = None) -> list[SlackNote]:
    """Alternative (method, interval) radii strictly above ``derived``, each a :class:`SlackNote`."""
    gu, st = pred.guarantee, pred.statistics
    assert entry.claim.label is not None
    have = Evidence(label=entry.claim.label, n=st.n, counts=tuple(entry.counts) if entry.counts else None,
                    scores=entry.scores, samples=samples)  # fmt: skip
    rm, iv = methods.radius_method(gu.radius_method), methods.interval(st.interval)
    notes: list[SlackNote] = []
    for alt_rm, alt_iv in methods.alternatives(rm, iv, gu.k, have):
        try:
            alt = derive_entry(
                pred, entry, None, radius_method=alt_rm.name, interval=alt_iv.name, samples=samples
            )
        except AuditError:
            continue
        if alt.radius is None or alt.radius <= derived:
            continue
        radius = decimal_string(alt.radius, 8, "down")
        notes.append(SlackNote(f"{alt_rm.name} with {alt_iv.name} at alpha={st.alpha}", radius))
    return notes
