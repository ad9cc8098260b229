"""``audit import cohen``: a ``certify.py`` log → a certificate whose evidence ``audit verify`` can check.

Each non-abstaining row becomes an entry whose count ``nA`` is the smallest count consistent with the printed
radius at the stated (n, alpha): ``format(σ·Φ⁻¹(CP_lower(nA, n, α)), ".3") == printed``, searched on the
theory layer's float path and confirmed at ``dps`` digits. The claim is the lower end of the printed interval
(the log asserts at least that much). The entry also records ``printed_radius`` (an extension the verifier
reads):
when no count can produce the printed text, the most favourable count is recorded and ``audit verify``
reports the row as ``inconsistent-evidence``. Only ``nA`` is known from a log; the rest of the count vector
and the selection draw are reconstructed (``reconstructed`` lists which fields), which the Cohen radius
(one bound, pB = 1 − pA) does not use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from audit.theory import FLOAT, cp_lower, mp_backend
from audit.theory.gaussian import cohen_radius
from audit.verify.exact import to_decimal_str, to_fraction
from audit.verify.importers.cohen_log import LogRow, parse_cohen_log
from audit.verify.importers.printed import printed_interval, smallest_count
from audit.verify.importers.skeleton import gaussian_l2_predicate, single_bound_statistics


def cohen_radius_fn(
    sigma: Fraction, n: int, alpha: Fraction, dps: int | None
) -> Callable[[int], Fraction | None]:
    """``nA ↦ σ·Φ⁻¹(CP_lower(nA, n, α))`` as an exact rational lower end (None = abstain)."""
    B = FLOAT if dps is None else mp_backend(dps)
    cache: dict[int, Fraction | None] = {}

    def radius_of(k: int) -> Fraction | None:
        if k not in cache:
            pl = cp_lower(k, n, alpha, B).value
            r = cohen_radius(pl, sigma, backend=B) if pl < 1 else None
            cache[k] = None if r is None else B.to_fraction(r)
        return cache[k]

    return radius_of


@dataclass(frozen=True)
class RowMatch:
    row: LogRow
    count: int | None  # smallest consistent count, None if none
    favourable: int | None  # count recorded when none is consistent
    lo: Fraction
    hi: Fraction


def match_count(text: str, sigma: Fraction, n: int, alpha: Fraction, dps: int) -> tuple[int | None, int]:
    """(smallest consistent count or None, count to record). Float search, confirmed at ``dps`` digits."""
    lo, hi = printed_interval(text)
    fast = cohen_radius_fn(sigma, n, alpha, None)
    exact = cohen_radius_fn(sigma, n, alpha, dps)
    m = smallest_count(lo, hi, n, fast)
    guess = m.count if m is not None else None
    if guess is None:
        # either every radius is below lo, or the radius jumps over [lo, hi]
        top = smallest_count(lo, Fraction(10**9), n, fast)
        guess = top.count if top is not None else n
    # confirm / correct at high precision around the float answer (float and exact differ by ~1e-15)
    k = guess
    while k > 0 and (r := exact(k - 1)) is not None and r >= lo:
        k -= 1
    while k < n and ((r := exact(k)) is None or r < lo):
        k += 1
    r = exact(k)
    ok = r is not None and lo <= r <= hi
    return (k if ok else None), k


def import_cohen(
    log: str | Path,
    *,
    sigma: str,
    n: int,
    alpha: str,
    n0: int = 100,
    num_classes: int = 10,
    dps: int = 50,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[RowMatch]]:
    """(predicate, subjects, per-row matches) for a Cohen log at the stated settings."""
    rows = parse_cohen_log(log)
    sig, a = to_fraction(sigma), to_fraction(alpha)
    data = Path(log).read_bytes()
    subjects = [{"name": Path(log).name, "digest": {"sha256": hashlib.sha256(data).hexdigest()}}]
    entries: list[dict[str, Any]] = []
    matches: list[RowMatch] = []
    memo: dict[str, tuple[int | None, int]] = {}
    for row in rows:
        lab = row.label % num_classes
        other = (lab + 1) % num_classes
        if row.abstain:
            counts = [0] * num_classes
            counts[lab], counts[other] = n // 2, n - n // 2
            sel = [0] * num_classes
            sel[lab], sel[other] = n0 // 2, n0 - n0 // 2
            claim = {"abstain": True, "label": None, "radius": None}
            ext: dict[str, Any] = {"reconstructed": ["counts", "selection_counts"]}
            matches.append(RowMatch(row, None, None, Fraction(0), Fraction(0)))
        else:
            if row.radius not in memo:
                memo[row.radius] = match_count(row.radius, sig, n, a, dps)
            count, record = memo[row.radius]
            lo, hi = printed_interval(row.radius)
            p = row.predict
            counts = [0] * num_classes
            counts[p] = record
            counts[(p + 1) % num_classes] = n - record
            sel = [0] * num_classes
            sel[p] = n0
            claim = {"abstain": False, "label": p, "radius": to_decimal_str(lo, 10)}
            ext = {
                "printed_radius": row.radius,
                "reconstructed": ["counts (all but the certified label)", "selection_counts"],
            }
            matches.append(RowMatch(row, count, record if count is None else None, lo, hi))
        entries.append(
            {
                "id": f"{Path(log).name}:{row.idx}",
                "input_sha256": None,
                "true_label": row.label if 0 <= row.label < num_classes else None,
                "seed": None,
                "selection_counts": sel,
                "counts": counts,
                "scores": None,
                "claim": claim,
                "imported": {"source": "cohen-certify-log", "line": row.line, **ext},
            }
        )
    predicate = gaussian_l2_predicate(
        tool="audit import cohen",
        source="locuslab/smoothing certify.py (imported log)",
        sigma=sigma,
        k=1,
        radius_method="cohen",
        statistics=single_bound_statistics(
            alpha=alpha, interval="cp", bound="pA_low", n0=n0, n=n, num_classes=num_classes
        ),
        entries=entries,
    )
    predicate["imported"] = {"source": "cohen-certify-log", "log": Path(log).name, "radius_digits": 3}
    return predicate, subjects, matches


def largest_radius(sigma: Fraction, n: int, alpha: Fraction, dps: int) -> Fraction | None:
    """The largest radius any count reaches at (n, alpha): the radius at nA = n (lower end)."""
    return cohen_radius_fn(sigma, n, alpha, dps)(n)
