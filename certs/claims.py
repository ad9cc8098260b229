"""From sampled evidence to certificate entries: label selection, theory derivation, decimal claims, summary.

Guarantees: every radius comes from :func:`audit.theory.derive` (``FLOAT`` backend, already rounded toward
zero) built from the predicate exactly as the verifier builds it, and is then written as a decimal string
rounded toward zero (:data:`RADIUS_DIGITS` significant digits), so the written claim is never above the
float radius. Summary accuracies are exact fractions rounded down, counted with the verifier's rule
(:func:`audit.theory.certified_at`); population bounds come from the theory layer at 50 digits. Score sums
are written so that ``sum²/n ≤ sumsq ≤ sum ≤ n`` holds exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction

from audit.format.model import AccuracyRow, Claim, Entry, Predicate, Scores, SidecarRef, Summary
from audit.format.numbers import NonNegDec, decimal_string, parse_decimal
from audit.theory import (
    FLOAT,
    CertificationSpec,
    Evidence,
    certified_at,
    derive,
    mp_backend,
    population_lower_bound,
)
from certs.sampler import SampleResult

RADIUS_DIGITS = 7  # significant digits kept in a claimed radius (rounded toward zero)
SCORE_PLACES = 90  # decimal places of written score sums (the format allows at most 100)


def select_label(selection: str, result: SampleResult, true_label: int | None) -> int | None:
    """The label to certify: argmax of the selection draw (ties → smallest index) or the fixed true label."""
    if selection == "separate-draw":
        sel = result.selection_counts
        assert sel is not None
        return max(range(len(sel)), key=lambda i: (sel[i], -i))
    return true_label


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


def soft_scores(result: SampleResult, n: int, sidecar: SidecarRef | None = None) -> Scores:
    """Decimal sums (≤ 90 places) with ``sum²/n ≤ sumsq ≤ sum ≤ n`` enforced exactly.

    Float accumulation can break those inequalities by ulps; each value moves by at most one rounding
    step (10**-90) or to the nearest bound that restores them.
    """
    assert result.score_sum is not None and result.score_sumsq is not None
    sums: list[NonNegDec] = []
    sqs: list[NonNegDec] = []
    for s_f, q_f in zip(result.score_sum, result.score_sumsq, strict=True):
        s_txt = fixed_decimal(min(Fraction(max(s_f, 0.0)), Fraction(n)), ROUND_FLOOR)
        s = parse_decimal(s_txt)
        q_txt = fixed_decimal(min(Fraction(max(q_f, 0.0)), s), ROUND_FLOOR)
        if parse_decimal(q_txt) < s * s / n:
            q_txt = fixed_decimal(s * s / n, ROUND_CEILING)
            if parse_decimal(q_txt) > s:
                q_txt = s_txt
        sums.append(NonNegDec(s_txt))
        sqs.append(NonNegDec(q_txt))
    return Scores(sum=sums, sumsq=sqs, sidecar=sidecar)


def claim_for(spec: CertificationSpec, evidence: Evidence) -> Claim:
    """The claim the evidence supports (FLOAT derivation, radius written rounded toward zero)."""
    der = derive(spec, evidence, FLOAT)
    r = der.radius
    if r is None:
        return Claim(abstain=True, label=None, radius=None)
    text = str(int(r)) if isinstance(r, int) else decimal_string(Fraction(float(r)), RADIUS_DIGITS, "down")
    if not isinstance(r, int) and parse_decimal(text) <= 0:
        return Claim(abstain=True, label=None, radius=None)
    return Claim(abstain=False, label=evidence.label, radius=NonNegDec(text))


def make_entry(
    pred: Predicate,
    spec: CertificationSpec,
    *,
    entry_id: str,
    input_sha256: str,
    true_label: int | None,
    seed: int,
    result: SampleResult,
    sidecar: SidecarRef | None = None,
) -> Entry:
    """One certificate entry: evidence as sampled, claim derived with the FLOAT backend.

    ``sidecar`` (interval ``betting``) references the written per-sample scores, which are
    ``result.samples``; the claim is then derived from exactly those scores, as the verifier will.
    """
    st = pred.statistics
    soft = pred.guarantee.output == "soft"
    label = select_label(st.selection, result, true_label)
    scores = soft_scores(result, st.n, sidecar) if soft else None
    samples = list(result.samples) if sidecar is not None and result.samples is not None else None
    claim = Claim(abstain=True, label=None, radius=None)
    if label is not None:
        counts = None if soft else tuple(result.counts)
        claim = claim_for(spec, Evidence(label=label, n=st.n, counts=counts, scores=scores, samples=samples))
    return Entry(
        id=entry_id, input_sha256=input_sha256, true_label=true_label, seed=seed,
        selection_counts=result.selection_counts, counts=None if soft else list(result.counts), scores=scores,
        claim=claim,
    )  # fmt: skip


def summary(entries: Sequence[Entry], alpha: str, radii: Sequence[str], rho: str = "0.001") -> Summary:
    """Claimed certified accuracy at each radius (exact, rounded down) and its population lower bound."""
    rows = []
    m = len(entries)
    B = mp_backend(50)
    for r_txt in radii:
        r = parse_decimal(r_txt)
        hits = sum(
            certified_at(e.claim.label, e.true_label, e.claim.radius.value if e.claim.radius else None, r)
            for e in entries
        )
        acc = Fraction(hits, m) if m else Fraction(0)
        claimed = NonNegDec(decimal_string(acc, 12, "down"))
        if m == 0:
            rows.append(AccuracyRow(radius=NonNegDec(r_txt), claimed=claimed))
            continue
        pop = population_lower_bound(acc, parse_decimal(alpha), parse_decimal(rho), m, backend=B)
        lower = NonNegDec(decimal_string(B.to_fraction(pop.value), 12, "down"))
        rows.append(
            AccuracyRow(radius=NonNegDec(r_txt), claimed=claimed, population_lower=lower, rho=NonNegDec(rho))
        )
    return Summary(certified_accuracy=rows)
