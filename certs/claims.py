"""From sampled evidence to certificate entries: label selection, theory derivation, decimal claims, summary.

Guarantees: every radius comes from :func:`audit.theory.derive` (``FLOAT`` backend, already rounded toward
zero) built from the predicate exactly as the verifier builds it, and is then written as a decimal string
rounded toward zero (:func:`decimal_down`), so the written claim is never above the float radius. Summary
accuracies are exact fractions rounded down; population bounds come from the theory layer at 50 digits.
Score sums are written so that ``sum²/n ≤ sumsq ≤ sum ≤ n`` holds exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from typing import Any

from audit import theory
from certs.sampler import SampleResult

RADIUS_DIGITS = 7  # significant digits kept in a claimed radius (rounded toward zero)


def decimal_down(x: float | Fraction | int, digits: int = RADIUS_DIGITS) -> str:
    """Decimal string ≤ ``x`` with ``digits`` significant digits (the theory's directed rounding)."""
    return theory.precision.decimal_string(Fraction(x), digits, "f")


def decimal_up(x: float | Fraction | int, digits: int = 17) -> str:
    """Decimal string ≥ ``x`` with ``digits`` significant digits."""
    return theory.precision.decimal_string(Fraction(x), digits, "c")


def exact_decimal(x: float) -> str:
    """The exact decimal expansion of a float (finite, plain notation)."""
    s = format(Decimal(x), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def spec_from_predicate(pred: Mapping[str, Any]) -> theory.CertificationSpec:
    """The theory spec the verifier builds from the same predicate fields."""
    return theory.CertificationSpec.from_predicate(pred)


def select_label(selection: str, result: SampleResult, true_label: int | None) -> int | None:
    """The label to certify: argmax of the selection draw (ties → smallest index) or the fixed true label."""
    if selection == "separate-draw":
        sel = result.selection_counts
        assert sel is not None
        return max(range(len(sel)), key=lambda i: (sel[i], -i))
    return true_label


SCORE_PLACES = 90  # decimal places of written score sums (the schema allows at most 100)


def fixed_decimal(q: Fraction, rounding: str, places: int = SCORE_PLACES) -> str:
    """``q`` (0 ≤ q < 10**100) as a plain decimal, at most ``places`` fraction digits, rounded as asked."""
    if q == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = 250
        ctx.rounding = rounding  # same direction in the division and the quantisation: composes exactly
        d = (Decimal(q.numerator) / Decimal(q.denominator)).quantize(Decimal(1).scaleb(-places))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def soft_scores(result: SampleResult, n: int) -> dict[str, Any]:
    """Decimal sums (≤ 90 places) with ``sum²/n ≤ sumsq ≤ sum ≤ n`` enforced exactly.

    Float accumulation can break those inequalities by ulps; each value moves by at most one rounding
    step (10**-90) or to the nearest bound that restores them.
    """
    assert result.score_sum is not None and result.score_sumsq is not None
    sums: list[str] = []
    sqs: list[str] = []
    for s_f, q_f in zip(result.score_sum, result.score_sumsq, strict=True):
        s_txt = fixed_decimal(min(Fraction(max(s_f, 0.0)), Fraction(n)), ROUND_FLOOR)
        s = Fraction(Decimal(s_txt))
        q = min(Fraction(max(q_f, 0.0)), s)
        q_txt = fixed_decimal(q, ROUND_FLOOR)
        if Fraction(Decimal(q_txt)) < s * s / n:
            q_txt = fixed_decimal(s * s / n, ROUND_CEILING)
            if Fraction(Decimal(q_txt)) > s:
                q_txt = s_txt
        sums.append(s_txt)
        sqs.append(q_txt)
    return {"sum": sums, "sumsq": sqs, "sidecar": None}


def make_entry(
    pred: Mapping[str, Any],
    spec: theory.CertificationSpec,
    *,
    entry_id: str,
    input_sha256: str,
    true_label: int | None,
    seed: int,
    result: SampleResult,
    sidecar: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One certificate entry: evidence as sampled, claim derived with the FLOAT backend.

    ``sidecar`` (``{"path", "sha256"}``, interval ``betting``) references the written per-sample scores,
    which are ``result.samples``; the claim is then derived from exactly those scores, as the verifier will.
    """
    st = pred["statistics"]
    soft = pred["guarantee"]["output"] == "soft"
    n = st["n"]
    label = select_label(st["selection"], result, true_label)
    scores = soft_scores(result, n) if soft else None
    samples = None
    if scores is not None and sidecar is not None:
        scores["sidecar"] = {"path": str(sidecar["path"]), "sha256": str(sidecar["sha256"])}
        samples = list(result.samples) if result.samples is not None else None
    claim: dict[str, Any] = {"abstain": True, "label": None, "radius": None}
    if label is not None:
        ev = theory.Evidence(
            label=label,
            n=n,
            counts=None if soft else tuple(result.counts),
            scores=scores,
            samples=samples,
        )
        der = theory.derive(spec, ev, theory.FLOAT)
        if der.radius is not None:
            r = der.radius
            text = str(int(r)) if isinstance(r, int) else decimal_down(float(r))
            if Fraction(Decimal(text)) > 0 or isinstance(r, int):
                claim = {"abstain": False, "label": label, "radius": text}
    return {
        "id": entry_id,
        "input_sha256": input_sha256,
        "true_label": true_label,
        "seed": seed,
        "selection_counts": result.selection_counts,
        "counts": None if soft else list(result.counts),
        "scores": scores,
        "claim": claim,
    }


def summary(
    entries: Sequence[Mapping[str, Any]], alpha: str, radii: Sequence[str], rho: str = "0.001"
) -> dict[str, Any]:
    """Claimed certified accuracy at each radius (exact, rounded down) and its population lower bound."""
    rows = []
    m = len(entries)
    for r_txt in radii:
        r = Fraction(Decimal(r_txt))
        hits = sum(
            1
            for e in entries
            if not e["claim"]["abstain"]
            and e["true_label"] is not None
            and e["claim"]["label"] == e["true_label"]
            and Fraction(Decimal(e["claim"]["radius"])) >= r
        )
        acc = Fraction(hits, m) if m else Fraction(0)
        row: dict[str, Any] = {"radius": r_txt, "claimed": decimal_down(acc, 12)}
        if m > 0:
            B = theory.mp_backend(50)
            a, p = Fraction(Decimal(alpha)), Fraction(Decimal(rho))
            res = theory.population_lower_bound(acc, a, p, m, backend=B)
            row["population_lower"] = decimal_down(B.to_fraction(res.value), 12)
            row["rho"] = rho
        rows.append(row)
    return {"certified_accuracy": rows}
