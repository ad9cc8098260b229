"""The verifier's single doorway into :mod:`audit.theory` (one implementation of every formula).

Guarantees: :func:`derive_entry` re-derives an entry with exactly the certificate's stated family, radius
method, interval and alpha, through the theory layer's ``derive`` (mp backend at ``dps`` digits, or the float
path for ``dps=None``), and returns the radius as an exact rational lower end (``None`` = abstain) with the
bounds used. Nothing here re-implements a bound or a radius formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from audit.errors import NumericError
from audit.theory import FLOAT, mp_backend
from audit.verify.exact import to_decimal_str


@dataclass(frozen=True)
class Derived:
    radius: Fraction | None
    radius_text: str | None
    bounds: dict[str, str] = field(default_factory=dict)
    pl_low: Fraction | None = None
    reason: str = ""
    dps: int = 50


def _backend(dps: int | None) -> Any:
    return FLOAT if dps is None else mp_backend(dps)


def derive_entry(
    pred: Mapping[str, Any],
    entry: Mapping[str, Any],
    label: int,
    dps: int | None,
    *,
    radius_method: str | None = None,
    interval: str | None = None,
    samples: Any = None,
) -> Derived:
    """Re-derive one entry's radius for ``label`` (UsageError/NumericError if the theory refuses).

    ``samples``: the per-class per-sample scores of a verified sidecar (betting only).
    """
    from audit import theory

    B = _backend(dps)
    spec = _spec(pred, radius_method, interval)
    ev = theory.Evidence(
        label=label,
        counts=tuple(entry["counts"]) if entry.get("counts") is not None else None,
        n=pred["statistics"]["n"],
        scores=entry.get("scores"),
        samples=samples,
    )
    der = theory.derive(spec, ev, B)
    bounds = {name: to_decimal_str(B.to_fraction(v), 30, "down") for name, v in der.bounds.items()}
    pl = None
    for key in ("pA_low", "pl_low", "F_low", "pl"):
        if key in der.bounds:
            pl = B.to_fraction(der.bounds[key])
            break
    if der.radius is None:
        return Derived(None, None, bounds, pl, getattr(der, "reason", "") or "abstain", dps or 0)
    r = B.to_fraction(der.radius)
    return Derived(r, to_decimal_str(r, 30, "down"), bounds, pl, "", dps or 0)


def _spec(pred: Mapping[str, Any], radius_method: str | None, interval: str | None) -> Any:
    from audit import theory

    return theory.CertificationSpec.from_predicate(pred, radius_method=radius_method, interval=interval)


def reuse_failure_bound(alpha: Fraction, c: int) -> Fraction:
    """Failure bound when the argmax of the estimation counts is certified (theory: union over c classes)."""
    from audit import theory

    return Fraction(theory.reuse_failure_bound(alpha, c))


def population_lower(acc: Fraction, alpha: Fraction, rho: Fraction, m: int, dps: int) -> Fraction:
    """Population lower bound of certified accuracy (lower end, exact rational) from the theory layer."""
    from audit import theory

    fn = getattr(theory, "population_lower_bound", None)
    if fn is None:
        raise NumericError("audit.theory.population_lower_bound is not available")
    B = mp_backend(dps)
    res = fn(acc, alpha, rho, m, backend=B)
    return B.to_fraction(getattr(res, "value", res))  # a PopulationBound (or a bare number)
