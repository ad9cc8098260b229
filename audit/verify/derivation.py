"""The verifier's re-derivation of one entry through the theory layer (verify's one call of ``derive``).

Guarantees: :func:`derive_entry` uses exactly the certificate's family, parameters, radius method, interval
and alpha (or the method named, for comparisons), at ``dps`` digits or on the float path, and returns the
radius as an exact rational lower end (``None`` = abstain) with the bounds it used. Nothing here implements
a bound or a radius formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from audit.format import Entry, Predicate
from audit.format.numbers import decimal_string
from audit.theory import FLOAT, CertificationSpec, Evidence, derive, mp_backend


@dataclass(frozen=True)
class Derived:
    """A re-derived radius as an exact lower end (``None`` = abstain) with the bounds it used (decimal
    strings rounded down, 30 digits) and the label's lower bound."""

    radius: Fraction | None
    radius_text: str | None
    bounds: dict[str, str] = field(default_factory=dict)
    pl_low: Fraction | None = None
    reason: str = ""
    dps: int = 50


def derive_entry(
    pred: Predicate,
    entry: Entry,
    dps: int | None,
    *,
    radius_method: str | None = None,
    interval: str | None = None,
    samples: Any = None,
) -> Derived:
    """Re-derive an entry's claimed label at ``dps`` digits (the float path for ``None``), with the
    certificate's method or the one named; UsageError/NumericError if the theory refuses."""
    B = FLOAT if dps is None else mp_backend(dps)
    spec = CertificationSpec.from_predicate(pred, radius_method=radius_method, interval=interval)
    assert entry.claim.label is not None
    ev = Evidence(
        label=entry.claim.label,
        n=pred.statistics.n,
        counts=tuple(entry.counts) if entry.counts is not None else None,
        scores=entry.scores,
        samples=samples,
    )
    der = derive(spec, ev, B)
    bounds = {name: decimal_string(B.to_fraction(v), 30, "down") for name, v in der.bounds.items()}
    low = next((der.bounds[k] for k in ("pA_low", "pl_low", "F_low") if k in der.bounds), None)
    pl = None if low is None else B.to_fraction(low)
    if der.radius is None:
        return Derived(None, None, bounds, pl, der.reason or "abstain", dps or 0)
    r = B.to_fraction(der.radius)
    return Derived(r, decimal_string(r, 30, "down"), bounds, pl, "", dps or 0)
