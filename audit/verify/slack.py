"""Informational slack: a larger radius the same evidence supports under another *valid* method.

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
from audit.verify.derivation import derive_entry

# (radius_method, interval) -> alternatives (radius_method, interval) at the same total alpha
ALTERNATIVES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("cohen-two-bound", "cp"): [("cohen", "cp")],
    ("cohen-two-bound", "simuem"): [("cohen", "cp")],
    ("cohen", "simuem"): [("cohen", "cp")],
    ("cohen", "binocp"): [("cohen", "cp")],
    ("topk", "simuem"): [("topk", "binocp")],
    ("topk", "binocp"): [("topk", "simuem")],
    ("laplace-multiclass", "cp"): [("laplace-binary", "cp")],
    ("laplace-multiclass", "simuem"): [("laplace-binary", "cp")],
    ("ablation-topk", "simuem"): [("ablation-topk", "binocp")],
    ("ablation-topk", "binocp"): [("ablation-topk", "simuem")],
    ("soft-gaussian", "hoeffding"): [("soft-gaussian", "bernstein"), ("soft-gaussian", "betting")],
    ("soft-gaussian", "bernstein"): [("soft-gaussian", "hoeffding"), ("soft-gaussian", "betting")],
    ("soft-gaussian", "betting"): [("soft-gaussian", "bernstein"), ("soft-gaussian", "hoeffding")],
    ("soft-lipschitz", "hoeffding"): [("soft-lipschitz", "bernstein"), ("soft-lipschitz", "betting")],
    ("soft-lipschitz", "bernstein"): [("soft-lipschitz", "hoeffding"), ("soft-lipschitz", "betting")],
    ("soft-lipschitz", "betting"): [("soft-lipschitz", "bernstein"), ("soft-lipschitz", "hoeffding")],
}
"""Alternatives using ``betting`` are tried only when the entry has a verified per-sample sidecar."""


def slack_notes(
    pred: Predicate, entry: Entry, derived: Fraction, samples: Any = None
) -> list[dict[str, str]]:
    """Alternative (method, interval) radii strictly above ``derived``, each as {method, radius}."""
    gu, st = pred.guarantee, pred.statistics
    notes: list[dict[str, str]] = []
    for method, interval in ALTERNATIVES.get((gu.radius_method, st.interval), []):
        if method in ("cohen", "cohen-two-bound") and gu.k != 1:
            continue
        if interval == "betting" and samples is None:
            continue
        try:
            alt = derive_entry(pred, entry, None, radius_method=method, interval=interval, samples=samples)
        except AuditError:
            continue
        if alt.radius is not None and alt.radius > derived:
            notes.append(
                {
                    "method": f"{method} with {interval} at alpha={st.alpha}",
                    "radius": decimal_string(alt.radius, 8, "down"),
                }
            )
    return notes
