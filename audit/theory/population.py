"""Population lower bound on certified accuracy (Cohen et al. 2019; Jia et al. 2020 App. E, Lemma 11).

If ``m`` inputs are each certified at level ``α`` (an input that is *not* robust at radius ``r`` gets a
certificate at ``r`` with probability ``<= α``) and a fraction ``Ŷ`` of them is certified at ``r``, then with
probability ``>= 1 - ρ`` over the certification randomness the true certified accuracy at ``r`` is at least

    (Ŷ - α - sqrt(2 α (1-α) ln(1/ρ) / m) - ln(1/ρ) / (3m)) / (1 - α).

The returned value is rounded down and clipped at 0 (accuracy is never negative), so it is ``<= Ŷ``.

:func:`certified_at` is the one definition of "certified at radius r" that issuer and verifier count with.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from audit.theory.precision import FLOAT, Backend, Exact, Real, check_alpha, check_n, check_unit

__all__ = ["PopulationBound", "certified_at", "population_lower_bound"]

_COND = 32.0


@dataclass(frozen=True)
class PopulationBound:
    """Lower bound ``value`` on the true certified accuracy, from ``claimed`` = Ŷ over ``m`` inputs."""

    value: Real
    claimed: Fraction
    alpha: Fraction
    rho: Fraction
    m: int
    precision: str
    method: str = "cohen-population"

    def __float__(self) -> float:
        return float(self.value)


def certified_at(label: int | None, true_label: int | None, radius: Fraction | None, r: Fraction) -> bool:
    """An entry is certified at radius ``r`` when it certifies its known true label (``label ==
    true_label``, both known; an abstention has no label) with a radius of at least ``r``."""
    return label is not None and label == true_label and radius is not None and radius >= r


def population_lower_bound(
    acc: Exact, alpha: Exact, rho: Exact, m: int, backend: Backend = FLOAT
) -> PopulationBound:
    """``(Ŷ - α - sqrt(2α(1-α) ln(1/ρ)/m) - ln(1/ρ)/(3m)) / (1-α)`` rounded down, clipped to ``[0, Ŷ]``."""
    y = check_unit(acc, "certified accuracy")
    a = check_alpha(alpha)
    r = check_alpha(rho)
    check_n(m)
    B = backend
    lg = B.up(B.log(B.num(1 / r, "up")), _COND)
    dev = B.up(B.sqrt(B.num(2 * a * (1 - a) / m, "up") * lg), _COND)
    lin = B.up(lg / B.num(3 * m, "down"), _COND)
    num = B.down(B.num(y - a, "down") - dev - lin, _COND)
    if not num > 0:
        return PopulationBound(B.zero, y, a, r, m, B.label)
    v = B.down(num / B.num(1 - a, "up"), _COND)
    ceiling = B.num(y, "down")
    v = v if v < ceiling else ceiling
    return PopulationBound(v, y, a, r, m, B.label)
