"""Validation of a certificate Statement: JSON Schema, then semantic consistency.

* :func:`validate_schema` checks the shipped draft 2020-12 schema (types, required fields, enums, decimal
  string syntax). JSON integers must be real ints (``3.0`` and ``true`` are not integers). A violation is a
  FormatError (exit 2) naming the file, the entry index (for ``predicate.entries[i]...``) and the field path.
* :func:`semantic_problems` returns every consistency problem as a :class:`Problem` (entry index or
  ``None`` for file-level, dotted field path, message); it never raises on a schema-valid statement. The
  verifier turns entry problems into ``inconsistent-evidence`` verdicts. :func:`validate_semantics` raises a
  FormatError for the first problem instead.

Semantic checks: alpha in (0, 1); alpha_split parts in (0, 1) adding up to at most alpha; sigma / lambda > 0;
1 <= keep <= d; d agrees with input_space.shape when given (gaussian / laplace: its product; ablation: H*W of
(C, H, W)); k < num_classes; n0 given iff selection is separate-draw; per entry: counts and
selection_counts have num_classes items and add up to n and n0; labels in [0, num_classes); a non-abstaining
claim has a finite radius >= 0 (an integer for l0); soft scores: num_classes sums in [0, n] with
sum²/n <= sumsq <= sum; entry ids unique; summary accuracies in [0, 1], rho in (0, 1).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from audit.errors import FormatError

SCHEMA_RESOURCE = "schema/certificate.schema.json"


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The shipped JSON Schema (package data ``audit/format/schema/certificate.schema.json``)."""
    text = resources.files("audit.format").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def _is_strict_int(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_TYPE_CHECKER = Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_int)
_StrictValidator = jsonschema.validators.extend(Draft202012Validator, type_checker=_TYPE_CHECKER)


@lru_cache(maxsize=1)
def _validator() -> Any:
    return _StrictValidator(load_schema())


def _location(path: list[Any]) -> tuple[int | None, str]:
    """(entry index, dotted field) for a schema error path like ['predicate', 'entries', 3, 'counts', 1]."""
    if len(path) >= 3 and path[0] == "predicate" and path[1] == "entries" and isinstance(path[2], int):
        return path[2], _dotted(path[3:]) or "entries"
    return None, _dotted(path) or "(document)"


def _dotted(path: list[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def validate_schema(statement: Any, *, file: str | None = None) -> None:
    """Raise FormatError (with file, entry, field) if ``statement`` violates the certificate schema."""
    error = best_match(_validator().iter_errors(statement))
    if error is None:
        return
    entry, field = _location(list(error.absolute_path))
    message = error.message
    if len(message) > 200:
        message = message[:200] + "..."
    raise FormatError(f"schema violation: {message}", file=file, entry=entry, field=field)


@dataclass(frozen=True)
class Problem:
    """One semantic problem: ``entry`` is an index into predicate.entries or ``None`` (file level)."""

    entry: int | None
    field: str
    message: str

    def to_error(self, file: str | None = None) -> FormatError:
        return FormatError(self.message, file=file, entry=self.entry, field=self.field)


def to_fraction(text: str) -> Fraction:
    """Exact value of a decimal string (ValueError if it is not one)."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        raise ValueError(f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not finite")
    return Fraction(value)


def _dec(problems: list[Problem], entry: int | None, field: str, text: Any) -> Fraction | None:
    if text is None:
        return None
    try:
        return to_fraction(text)
    except ValueError as exc:
        problems.append(Problem(entry, field, str(exc)))
        return None


_FAMILY_NORMS = {"gaussian": {"l2", "l1"}, "laplace": {"l1"}, "ablation": {"l0"}}


def _file_problems(pred: Mapping[str, Any], problems: list[Problem]) -> None:
    sm, gu, st = pred["smoothing"], pred["guarantee"], pred["statistics"]
    alpha = _dec(problems, None, "statistics.alpha", st["alpha"])
    if alpha is not None and not 0 < alpha < 1:
        problems.append(Problem(None, "statistics.alpha", f"alpha must be in (0, 1), got {st['alpha']}"))
    total = Fraction(0)
    for i, part in enumerate(st["alpha_split"]):
        a = _dec(problems, None, f"statistics.alpha_split[{i}].alpha", part["alpha"])
        if a is not None:
            if not 0 < a < 1:
                problems.append(
                    Problem(
                        None, f"statistics.alpha_split[{i}].alpha", f"must be in (0, 1), got {part['alpha']}"
                    )
                )
            total += a
    if alpha is not None and total > alpha:
        problems.append(
            Problem(
                None,
                "statistics.alpha_split",
                f"parts add up to {float(total):g}, more than alpha {st['alpha']}",
            )
        )
    for key in ("sigma", "lambda"):
        v = _dec(problems, None, f"smoothing.{key}", sm.get(key))
        if v is not None and v <= 0:
            problems.append(Problem(None, f"smoothing.{key}", f"must be > 0, got {sm[key]}"))
    if sm.get("keep") is not None and not 1 <= sm["keep"] <= sm["d"]:
        problems.append(Problem(None, "smoothing.keep", f"must be in [1, d={sm['d']}], got {sm['keep']}"))
    _dimension_problems(sm, problems)
    if gu["norm"] not in _FAMILY_NORMS[sm["family"]]:
        problems.append(
            Problem(None, "guarantee.norm", f"{sm['family']} noise does not certify {gu['norm']}")
        )
    lip = _dec(problems, None, "guarantee.lipschitz", gu.get("lipschitz"))
    if lip is not None and lip <= 0:
        problems.append(Problem(None, "guarantee.lipschitz", f"must be > 0, got {gu['lipschitz']}"))
    if gu["k"] >= st["num_classes"]:
        problems.append(
            Problem(None, "guarantee.k", f"k={gu['k']} must be below num_classes={st['num_classes']}")
        )
    if (st["selection"] == "separate-draw") != (st["n0"] is not None):
        problems.append(
            Problem(None, "statistics.n0", "n0 is required exactly when selection is separate-draw")
        )
    for i, row in enumerate(pred["summary"]["certified_accuracy"]):
        where = f"summary.certified_accuracy[{i}]"
        for key in ("claimed", "population_lower"):
            v = _dec(problems, None, f"{where}.{key}", row.get(key))
            if v is not None and not 0 <= v <= 1 and not (key == "population_lower" and v < 0):
                problems.append(Problem(None, f"{where}.{key}", f"must be in [0, 1], got {row[key]}"))
        rho = _dec(problems, None, f"{where}.rho", row.get("rho"))
        if rho is not None and not 0 < rho < 1:
            problems.append(Problem(None, f"{where}.rho", f"must be in (0, 1), got {row['rho']}"))


def _dimension_problems(sm: Mapping[str, Any], problems: list[Problem]) -> None:
    """``d`` must be what ``input_space.shape`` implies (when a shape is given; imported logs have none):
    gaussian / laplace: the number of coordinates (product of the shape); ablation: the number of pixels,
    H·W of a (C, H, W) shape (the units that are kept or removed)."""
    space = sm.get("input_space")
    shape = space.get("shape") if isinstance(space, Mapping) else None
    if shape is None:
        return
    d = sm["d"]
    if sm["family"] == "ablation":
        if len(shape) != 3:
            problems.append(
                Problem(
                    None, "smoothing.d", f"ablation counts pixels of a (C, H, W) input, got shape {shape}"
                )
            )
            return
        want, rule = shape[1] * shape[2], "H*W pixels"
    else:
        want, rule = math.prod(shape), "product of the shape"
    if d != want:
        problems.append(
            Problem(
                None,
                "smoothing.d",
                f"d={d} does not match input_space.shape {shape}: {sm['family']} needs d={want} ({rule})",
            )
        )


def _count_problems(
    i: int, field: str, counts: list[int] | None, size: int, total: int | None, problems: list[Problem]
) -> None:
    if counts is None:
        return
    if len(counts) != size:
        problems.append(Problem(i, field, f"has {len(counts)} items, expected num_classes={size}"))
    if any(not isinstance(c, int) or isinstance(c, bool) or c < 0 for c in counts):
        problems.append(Problem(i, field, "counts must be non-negative integers"))
        return
    if total is not None and sum(counts) != total:
        name = "n0" if field == "selection_counts" else "n"
        problems.append(Problem(i, field, f"counts add up to {sum(counts)}, expected {name}={total}"))


def entry_problems(pred: Mapping[str, Any], i: int, entry: Mapping[str, Any]) -> list[Problem]:
    """Semantic problems of ``predicate.entries[i]`` (assumes the statement passed the schema)."""
    st, gu = pred["statistics"], pred["guarantee"]
    c, n = st["num_classes"], st["n"]
    problems: list[Problem] = []
    _count_problems(i, "counts", entry.get("counts"), c, n, problems)
    _count_problems(i, "selection_counts", entry.get("selection_counts"), c, st.get("n0"), problems)
    if st["selection"] == "separate-draw" and entry.get("selection_counts") is None:
        problems.append(Problem(i, "selection_counts", "required when selection is separate-draw"))
    for field, label in (
        ("true_label", entry.get("true_label")),
        ("claim.label", entry["claim"].get("label")),
    ):
        if label is not None and not 0 <= label < c:
            problems.append(Problem(i, field, f"label {label} is outside [0, {c})"))
    claim = entry["claim"]
    if not claim["abstain"]:
        r = _dec(problems, i, "claim.radius", claim.get("radius"))
        if r is not None and r < 0:
            problems.append(Problem(i, "claim.radius", "radius must be >= 0"))
        if r is not None and gu["norm"] == "l0" and r.denominator != 1:
            problems.append(
                Problem(i, "claim.radius", f"an l0 radius must be an integer, got {claim['radius']}")
            )
    scores = entry.get("scores")
    if scores is not None:
        sums, sumsqs = scores["sum"], scores["sumsq"]
        if len(sums) != c or len(sumsqs) != c:
            problems.append(Problem(i, "scores", f"sum and sumsq need num_classes={c} items"))
        for j, (s_txt, q_txt) in enumerate(zip(sums, sumsqs, strict=False)):
            s = _dec(problems, i, f"scores.sum[{j}]", s_txt)
            q = _dec(problems, i, f"scores.sumsq[{j}]", q_txt)
            if s is None or q is None:
                continue
            if not 0 <= s <= n:
                problems.append(Problem(i, f"scores.sum[{j}]", f"must be in [0, n={n}] for scores in [0, 1]"))
            elif not s * s / n <= q <= s:
                problems.append(
                    Problem(
                        i, f"scores.sumsq[{j}]", "must satisfy sum^2/n <= sumsq <= sum for scores in [0, 1]"
                    )
                )
    return problems


def semantic_problems(statement: Mapping[str, Any]) -> list[Problem]:
    """Every semantic problem of a schema-valid statement, file-level first, then by entry index."""
    pred = statement["predicate"]
    problems: list[Problem] = []
    _file_problems(pred, problems)
    seen: dict[str, int] = {}
    for i, entry in enumerate(pred["entries"]):
        problems.extend(entry_problems(pred, i, entry))
        first = seen.setdefault(entry["id"], i)
        if first != i:
            problems.append(Problem(i, "id", f"duplicate entry id {entry['id']!r} (first at entry {first})"))
    return problems


def validate_semantics(statement: Mapping[str, Any], *, file: str | None = None) -> None:
    """Raise FormatError for the first semantic problem (message says how many more there are)."""
    problems = semantic_problems(statement)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise FormatError(first.message + more, file=file, entry=first.entry, field=first.field)


def validate_statement(statement: Any, *, file: str | None = None) -> None:
    """Schema then semantics; raises FormatError on the first violation."""
    validate_schema(statement, file=file)
    validate_semantics(statement, file=file)
