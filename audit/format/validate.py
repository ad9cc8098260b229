"""Semantic consistency of a typed certificate statement (the structure was checked by decoding).

:func:`semantic_problems` returns every consistency problem as a :class:`Problem` (entry index or ``None``
for file level, dotted field path, what kind of problem, message); it never raises. :func:`validate_semantics`
raises a FormatError for the first problem instead. The verifier turns each :class:`Check` into its rule.

Checks: alpha in (0, 1); alpha_split parts in (0, 1) adding up to at most alpha; sigma / lambda > 0;
1 <= keep <= d; d agrees with input_space.shape when given (gaussian / laplace: its product; ablation: H*W of
(C, H, W)); the noise family certifies the norm; k < num_classes; n0 given iff selection is separate-draw;
per entry: counts and selection_counts have num_classes items and add up to n and n0; labels in
[0, num_classes); a non-abstaining claim has a radius >= 0 (an integer for l0); soft scores: num_classes
sums in [0, n] with sum²/n <= sumsq <= sum; entry ids unique; summary accuracies in [0, 1], rho in (0, 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from msgspec import UNSET

from audit.errors import FormatError
from audit.format.model import Entry, Predicate, Smoothing, Statement

FAMILY_NORMS: dict[str, frozenset[str]] = {
    "gaussian": frozenset({"l2", "l1"}),  # l1 through ||d||_2 <= ||d||_1
    "laplace": frozenset({"l1"}),
    "ablation": frozenset({"l0"}),
}
"""Which norms each noise family can certify (the one table; the method registry reads it)."""


class Check(StrEnum):
    """What a semantic problem is about."""

    PARAMETER = "parameter"  # a file-level parameter is out of range or contradicts another
    ALPHA_SPLIT_TOTAL = "alpha-split-total"  # the parts of the alpha split add up to more than alpha
    COUNTS = "counts"  # estimation counts do not add up to n
    COUNTS_LENGTH = "counts-length"  # a count vector does not have num_classes items
    SELECTION = "selection"  # selection counts do not add up to n0 (or have the wrong length)
    LABEL = "label"  # a label outside [0, num_classes)
    RADIUS = "radius"  # a claimed radius that cannot be (negative, fractional l0)
    SCORES = "scores"  # score statistics impossible for scores in [0, 1]
    DUPLICATE_ID = "duplicate-id"


@dataclass(frozen=True)
class Problem:
    """One semantic problem: ``entry`` is an index into predicate.entries or ``None`` (file level)."""

    entry: int | None
    field: str
    check: Check
    message: str

    def to_error(self, file: str | None = None) -> FormatError:
        return FormatError(self.message, file=file, entry=self.entry, field=self.field)


def _file_problems(pred: Predicate) -> list[Problem]:
    sm, gu, st = pred.smoothing, pred.guarantee, pred.statistics
    out: list[Problem] = []

    def bad(field: str, message: str, check: Check = Check.PARAMETER) -> None:
        out.append(Problem(None, field, check, message))

    if not 0 < st.alpha.value < 1:
        bad("statistics.alpha", f"alpha must be in (0, 1), got {st.alpha}")
    total = Fraction(0)
    for i, part in enumerate(st.alpha_split):
        if not 0 < part.alpha.value < 1:
            bad(f"statistics.alpha_split[{i}].alpha", f"must be in (0, 1), got {part.alpha}")
        total += part.alpha.value
    if total > st.alpha.value:
        msg = f"parts add up to {float(total):g}, more than alpha {st.alpha}"
        bad("statistics.alpha_split", msg, Check.ALPHA_SPLIT_TOTAL)
    for key, value in (("sigma", sm.sigma), ("lambda", sm.lam)):
        if value is not None and value.value <= 0:
            bad(f"smoothing.{key}", f"must be > 0, got {value}")
    if sm.keep is not None and not 1 <= sm.keep <= sm.d:
        bad("smoothing.keep", f"must be in [1, d={sm.d}], got {sm.keep}")
    out.extend(_dimension_problems(sm))
    if gu.norm not in FAMILY_NORMS[sm.family]:
        bad("guarantee.norm", f"{sm.family} noise does not certify {gu.norm}")
    if gu.lipschitz is not None and gu.lipschitz.value <= 0:
        bad("guarantee.lipschitz", f"must be > 0, got {gu.lipschitz}")
    if gu.k >= st.num_classes:
        bad("guarantee.k", f"k={gu.k} must be below num_classes={st.num_classes}")
    if (st.selection == "separate-draw") != (st.n0 is not None):
        bad("statistics.n0", "n0 is required exactly when selection is separate-draw")
    for i, row in enumerate(pred.summary.certified_accuracy):
        where = f"summary.certified_accuracy[{i}]"
        if not 0 <= row.claimed.value <= 1:
            bad(f"{where}.claimed", f"must be in [0, 1], got {row.claimed}")
        pop = row.population_lower
        if pop and pop.value > 1:  # a population lower bound may be negative (no information)
            bad(f"{where}.population_lower", f"must be in [0, 1], got {pop}")
        if row.rho and not 0 < row.rho.value < 1:
            bad(f"{where}.rho", f"must be in (0, 1), got {row.rho}")
    return out


def _dimension_problems(sm: Smoothing) -> list[Problem]:
    """``d`` must be what ``input_space.shape`` implies (when a shape is given; imported logs have none):
    gaussian / laplace: the number of coordinates (product of the shape); ablation: the number of pixels,
    H·W of a (C, H, W) shape (the units that are kept or removed)."""
    shape = sm.input_space.shape if sm.input_space is not None else UNSET
    if shape is UNSET:
        return []
    if sm.family == "ablation":
        if len(shape) != 3:
            msg = f"ablation counts pixels of a (C, H, W) input, got shape {shape}"
            return [Problem(None, "smoothing.d", Check.PARAMETER, msg)]
        want, rule = shape[1] * shape[2], "H*W pixels"
    else:
        want, rule = math.prod(shape), "product of the shape"
    if sm.d == want:
        return []
    msg = f"d={sm.d} does not match input_space.shape {shape}: {sm.family} needs d={want} ({rule})"
    return [Problem(None, "smoothing.d", Check.PARAMETER, msg)]


def _count_problems(
    i: int, field: str, counts: list[int] | None, size: int, total: int | None, sum_check: Check
) -> list[Problem]:
    if counts is None:
        return []
    out = []
    if len(counts) != size:
        length_check = Check.SELECTION if sum_check is Check.SELECTION else Check.COUNTS_LENGTH
        out.append(Problem(i, field, length_check, f"has {len(counts)} items, expected num_classes={size}"))
    if total is not None and sum(counts) != total:
        name = "n0" if field == "selection_counts" else "n"
        out.append(Problem(i, field, sum_check, f"counts add up to {sum(counts)}, expected {name}={total}"))
    return out


def entry_problems(pred: Predicate, i: int, entry: Entry) -> list[Problem]:
    """Semantic problems of ``predicate.entries[i]``."""
    st, c, n = pred.statistics, pred.statistics.num_classes, pred.statistics.n
    problems = _count_problems(i, "counts", entry.counts, c, n, Check.COUNTS)
    problems += _count_problems(i, "selection_counts", entry.selection_counts, c, st.n0, Check.SELECTION)
    for field, label in (("true_label", entry.true_label), ("claim.label", entry.claim.label)):
        if label is not None and not 0 <= label < c:
            problems.append(Problem(i, field, Check.LABEL, f"label {label} is outside [0, {c})"))
    radius = entry.claim.radius
    if radius is not None and pred.guarantee.norm == "l0" and radius.value.denominator != 1:
        msg = f"an l0 radius must be an integer, got {radius}"
        problems.append(Problem(i, "claim.radius", Check.RADIUS, msg))
    if entry.scores is not None:
        problems += _score_problems(i, entry, c, n)
    return problems


def _score_problems(i: int, entry: Entry, c: int, n: int) -> list[Problem]:
    assert entry.scores is not None
    sums, sumsqs = entry.scores.sum, entry.scores.sumsq
    if len(sums) != c or len(sumsqs) != c:
        return [Problem(i, "scores", Check.SCORES, f"sum and sumsq need num_classes={c} items")]
    out = []
    for j, (s_dec, q_dec) in enumerate(zip(sums, sumsqs, strict=True)):
        s, q = s_dec.value, q_dec.value
        if not s <= n:
            msg = f"must be in [0, n={n}] for scores in [0, 1]"
            out.append(Problem(i, f"scores.sum[{j}]", Check.SCORES, msg))
        elif not s * s / n <= q <= s:
            msg = "must satisfy sum^2/n <= sumsq <= sum for scores in [0, 1]"
            out.append(Problem(i, f"scores.sumsq[{j}]", Check.SCORES, msg))
    return out


def semantic_problems(statement: Statement) -> list[Problem]:
    """Every semantic problem, file-level first, then by entry index."""
    pred = statement.predicate
    problems = _file_problems(pred)
    seen: dict[str, int] = {}
    for i, entry in enumerate(pred.entries):
        problems.extend(entry_problems(pred, i, entry))
        first = seen.setdefault(entry.id, i)
        if first != i:
            msg = f"duplicate entry id {entry.id!r} (first at entry {first})"
            problems.append(Problem(i, "id", Check.DUPLICATE_ID, msg))
    return problems


def validate_semantics(statement: Statement, *, file: str | None = None) -> None:
    """Raise FormatError for the first semantic problem (message says how many more there are)."""
    problems = semantic_problems(statement)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise FormatError(first.message + more, file=file, entry=first.entry, field=first.field)
