"""``audit import jia-topk``: Jia et al.'s released count vectors → a top-k certificate.

Input rows: per-class estimation counts followed by the true label (whitespace separated). The certified label
is the true label, fixed in advance (their CERTIFY), n = the row's count sum (must be equal on all rows).
Claims: with ``radii`` (their ``result.txt``: ``idx radius`` printed with 3 significant digits; 0.0 = abstain)
each claim is the lower end of the printed interval, so a faithful published radius is ``certified`` exactly
when their number is supported; without it, the theory layer's float-path radius rounded toward zero.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from audit.errors import InputError
from audit.format.io import read_text, sha256_file
from audit.format.limits import CLASSES, LOG_BYTES
from audit.format.model import Claim, Digest, Entry, Predicate, Subject
from audit.format.numbers import (
    NonNegDec,
    NumberError,
    decimal_string,
    parse_int,
    printed_interval,
    printed_value,
)
from audit.importers.skeleton import gaussian_l2_predicate, single_bound_statistics
from audit.theory import FLOAT, CertificationSpec, Evidence, derive

MAX_COUNT = 10**15


def _fields(line: str) -> list[str]:
    """Whitespace-separated fields of a line (ASCII blanks only: other scripts' spaces are not separators)."""
    return line.replace("\t", " ").replace("\r", " ").split(" ")


def parse_counts(path: str | Path) -> list[tuple[list[int], int]]:
    rows: list[tuple[list[int], int]] = []
    for i, line in enumerate(read_text(path, LOG_BYTES, what="counts file").splitlines(), start=1):
        fields = [f for f in _fields(line) if f]
        if not fields:
            continue
        if not 3 <= len(fields) <= CLASSES.value + 1:
            msg = f"line {i}: expected 2 to {CLASSES.value} counts and a label, got {len(fields)} fields"
            raise InputError(msg, file=str(path))
        try:
            vals = [parse_int(x, what="count", low=0, high=MAX_COUNT) for x in fields]
        except NumberError as exc:
            raise InputError(f"line {i}: {exc.message}", file=str(path)) from None
        rows.append((vals[:-1], vals[-1]))
    if not rows:
        raise InputError("no rows", file=str(path))
    return rows


def parse_radii(path: str | Path) -> dict[int, str]:
    lines = read_text(path, LOG_BYTES, what="radius file").splitlines()
    if not lines or [f for f in _fields(lines[0]) if f] != ["idx", "radius"]:
        raise InputError("line 1: expected header 'idx radius'", file=str(path))
    out: dict[int, str] = {}
    for i, line in enumerate(lines[1:], start=2):
        parts = [f for f in _fields(line) if f]
        if not parts:
            continue
        if len(parts) < 2:
            raise InputError(f"line {i}: expected 'idx radius'", file=str(path))
        try:
            idx = parse_int(parts[0], what="idx", low=0, high=2**63 - 1)
            printed_value(parts[1])
        except NumberError as exc:
            raise InputError(f"line {i}: {exc.message}", file=str(path)) from None
        except ValueError as exc:
            raise InputError(f"line {i}: radius {exc}", file=str(path)) from None
        out[idx] = parts[1]
    return out


def import_jia_topk(
    counts_file: str | Path, *, sigma: str, k: int, alpha: str, radii_file: str | Path | None = None
) -> tuple[Predicate, list[Subject]]:
    rows = parse_counts(counts_file)
    c = len(rows[0][0])
    n = sum(rows[0][0])
    radii = parse_radii(radii_file) if radii_file is not None else None
    spec = CertificationSpec(
        family="gaussian",
        radius_method="topk",
        interval="simuem",
        alpha=alpha,
        k=k,
        sigma=sigma,
        num_classes=c,
    )
    entries: list[Entry] = []
    for i, (counts, label) in enumerate(rows, start=1):
        if len(counts) != c or sum(counts) != n:
            msg = f"row {i}: {len(counts)} counts summing to {sum(counts)}; expected {c}, n={n}"
            raise InputError(msg, file=str(counts_file))
        if n < 1:
            raise InputError(f"row {i}: the counts add up to 0", file=str(counts_file))
        if not 0 <= label < c:
            raise InputError(f"row {i}: label {label} outside [0, {c})", file=str(counts_file))
        if radii is not None:
            text = radii.get(i)
            if text is None:
                raise InputError(f"no radius for row {i}", file=str(radii_file))
            lo = printed_interval(text)[0]
            radius = None if lo == 0 else decimal_string(lo, 10, "down")
        else:
            d = derive(spec, Evidence(label=label, n=n, counts=tuple(counts)), FLOAT)
            radius = None if d.radius is None else decimal_string(Fraction(d.radius), 6, "down")
        claim = (
            Claim(abstain=True, label=None, radius=None)
            if radius is None
            else Claim(abstain=False, label=label, radius=NonNegDec(radius))
        )
        entries.append(
            Entry(
                id=f"{Path(counts_file).name}:{i}",
                input_sha256=None,
                true_label=label,
                seed=None,
                selection_counts=None,
                counts=counts,
                scores=None,
                claim=claim,
            )
        )
    subjects = [Subject(name=Path(counts_file).name, digest=Digest(sha256=sha256_file(counts_file)))]
    predicate = gaussian_l2_predicate(
        tool="audit import jia-topk",
        source="jjy1994/Certify_Topk (imported counts)",
        sigma=sigma,
        k=k,
        radius_method="topk",
        statistics=single_bound_statistics(
            alpha=alpha, interval="simuem", bound="simuem", n=n, num_classes=c
        ),
        entries=entries,
    )
    return predicate, subjects
