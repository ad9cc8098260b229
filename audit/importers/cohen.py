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

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from audit.errors import InputError
from audit.format.io import sha256_file
from audit.format.model import Claim, Digest, Entry, EntryImport, Predicate, PredicateImport, Subject
from audit.format.numbers import NonNegDec, decimal_string, parse_decimal, printed_interval
from audit.importers.cohen_log import LogRow, parse_cohen_log
from audit.importers.printed import smallest_count
from audit.importers.skeleton import gaussian_l2_predicate, single_bound_statistics
from audit.theory import FLOAT, cohen_radius, cp_lower, mp_backend

SOURCE = "cohen-certify-log"


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


def _row_entry(
    row: LogRow, name: str, num_classes: int, n: int, n0: int, match: tuple[int | None, int] | None
) -> Entry:
    """The entry of one log row: an abstention, or the recorded count behind the printed radius."""
    lab = row.label % num_classes
    if match is None:  # abstain: an even split that no radius is derived from
        counts, sel = [0] * num_classes, [0] * num_classes
        other = (lab + 1) % num_classes
        counts[lab], counts[other] = n // 2, n - n // 2
        sel[lab], sel[other] = n0 // 2, n0 - n0 // 2
        claim = Claim(abstain=True, label=None, radius=None)
        imported = EntryImport(source=SOURCE, line=row.line, reconstructed=["counts", "selection_counts"])
    else:
        record, p = match[1], row.predict
        counts, sel = [0] * num_classes, [0] * num_classes
        counts[p], counts[(p + 1) % num_classes] = record, n - record
        sel[p] = n0
        lo = printed_interval(row.radius)[0]
        claim = Claim(abstain=False, label=p, radius=NonNegDec(decimal_string(lo, 10, "down")))
        reconstructed = ["counts (all but the certified label)", "selection_counts"]
        imported = EntryImport(
            source=SOURCE, line=row.line, printed_radius=row.radius, reconstructed=reconstructed
        )
    true_label = row.label if 0 <= row.label < num_classes else None
    return Entry(
        id=f"{name}:{row.idx}", input_sha256=None, true_label=true_label, seed=None, selection_counts=sel,
        counts=counts, scores=None, claim=claim, imported=imported,
    )  # fmt: skip


def import_cohen(
    log: str | Path,
    *,
    sigma: str,
    n: int,
    alpha: str,
    n0: int = 100,
    num_classes: int | None = None,
    dps: int = 50,
) -> tuple[Predicate, list[Subject], list[RowMatch]]:
    """(predicate, subjects, per-row matches) for a Cohen log at the stated settings.

    ``num_classes=None`` infers the class count as the largest label or prediction seen + 1 (at least 2;
    :func:`class_count`); a given count that some row's label or prediction reaches is an InputError naming
    the line.
    """
    rows = parse_cohen_log(log)
    num_classes = class_count(rows, num_classes, str(log))
    sig, a, name = parse_decimal(sigma), parse_decimal(alpha), Path(log).name
    subjects = [Subject(name=name, digest=Digest(sha256=sha256_file(log)))]
    entries: list[Entry] = []
    matches: list[RowMatch] = []
    memo: dict[str, tuple[int | None, int]] = {}
    for row in rows:
        match = None
        if row.abstain:
            matches.append(RowMatch(row, None, None, Fraction(0), Fraction(0)))
        else:
            if row.radius not in memo:
                memo[row.radius] = match_count(row.radius, sig, n, a, dps)
            match = memo[row.radius]
            lo, hi = printed_interval(row.radius)
            matches.append(RowMatch(row, match[0], match[1] if match[0] is None else None, lo, hi))
        entries.append(_row_entry(row, name, num_classes, n, n0, match))
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
        imported=PredicateImport(source=SOURCE, log=name, radius_digits=3),
    )
    return predicate, subjects, matches


def class_count(rows: list[LogRow], stated: int | None, file: str) -> int:
    """The class count: ``stated``, checked against every row, or (``None``) the largest label seen + 1."""
    if stated is None:
        return max(2, *(max(r.label, r.predict) + 1 for r in rows))
    for r in rows:
        if max(r.label, r.predict) >= stated:
            what = "label" if r.label >= stated else "prediction"
            value = max(r.label, r.predict)
            raise InputError(f"line {r.line}: {what} {value} is not below --num-classes {stated}", file=file)
    return stated


def largest_radius(sigma: Fraction, n: int, alpha: Fraction, dps: int) -> Fraction | None:
    """The largest radius any count reaches at (n, alpha): the radius at nA = n (lower end)."""
    return cohen_radius_fn(sigma, n, alpha, dps)(n)
