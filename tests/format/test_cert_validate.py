"""Schema and semantic validation: errors name the entry index and field; problems are listed per entry."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
from documents import statement_dict
from format_samples import SUBJECTS, family

from audit.errors import FormatError
from audit.format import Statement, decode_statement
from audit.format.validate import Problem, semantic_problems, validate_semantics


def _st(pred: dict[str, Any]) -> dict[str, Any]:
    return statement_dict(pred, SUBJECTS)


def validate_schema(st: dict[str, Any], file: str | None = None) -> Statement:
    """The typed reader: decoding checks the structure (FormatError naming file, entry and field)."""
    return decode_statement(st, file=file)


_INTEGERS = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, x: isinstance(x, int) and not isinstance(x, bool)
)
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=_INTEGERS)


def _schema_errors(st: dict[str, Any]) -> list[str]:
    """Violations of the published JSON Schema (the contract the typed reader implements), with JSON
    integers taken as the JSON integer token (``1.0`` is a number, not an integer, as the format says)."""
    text = resources.files("audit.format").joinpath("schema/certificate.schema.json").read_text()
    return [e.message for e in _Validator(json.loads(text)).iter_errors(st)]


@pytest.mark.parametrize("name", ["gaussian", "laplace", "ablation", "soft"])
def test_samples_are_valid(name: str) -> None:
    validate_semantics(validate_schema(_st(family(name))))
    assert _schema_errors(_st(family(name))) == []


SCHEMA_CASES = [
    # (mutation, expected entry, expected field)
    (lambda p: p["entries"][1].update(counts=[50, 48, 1.0, 1]), 1, "counts[2]"),  # float count
    (lambda p: p["entries"][1].update(counts=[50, 48, True, 1]), 1, "counts[2]"),  # bool count
    (lambda p: p["entries"][0].update(counts=[1, 2, -95, 2]), 0, "counts[2]"),
    (lambda p: p["entries"][0].update(counts="1,2,95,2"), 0, "counts"),
    (lambda p: p["entries"][0].pop("claim"), 0, None),
    (lambda p: p["entries"][0]["claim"].update(radius=0.378), 0, "claim.radius"),
    (lambda p: p["entries"][0]["claim"].update(radius="NaN"), 0, "claim.radius"),
    (lambda p: p["entries"][0]["claim"].update(radius="1e99999"), 0, "claim.radius"),
    (lambda p: p["entries"][0]["claim"].update(abstain=True), 0, None),  # abstain with a label/radius
    (lambda p: p["entries"][0].update(input_sha256="XYZ"), 0, "input_sha256"),
    (lambda p: p["entries"][0].update(counts=None), 0, "counts"),  # hard output needs counts
    (lambda p: p["entries"][0].update(selection_counts=None), 0, "selection_counts"),  # separate-draw
    (lambda p: p["statistics"].update(alpha=0.001), None, "predicate.statistics.alpha"),
    (lambda p: p["statistics"].pop("n"), None, "predicate.statistics"),
    (lambda p: p["statistics"].update(interval="Magic!"), None, "predicate.statistics.interval"),
    (lambda p: p["smoothing"].update(sigma=None), None, "predicate.smoothing.sigma"),
    (lambda p: p["smoothing"].update(family="uniform"), None, "predicate.smoothing.family"),
    (lambda p: p.update(format_version=2), None, "predicate.format_version"),
    (lambda p: p.pop("entries"), None, "predicate"),
]


@pytest.mark.parametrize(("mutate", "entry", "field"), SCHEMA_CASES)
def test_schema_violations_name_entry_and_field(mutate: Any, entry: int | None, field: str | None) -> None:
    pred = family("gaussian")
    mutate(pred)
    with pytest.raises(FormatError) as exc:
        validate_schema(_st(pred), file="c.json")
    err = exc.value
    assert err.entry == entry
    if field is not None:
        assert err.field == field
    assert err.file == "c.json" and str(err).startswith("c.json: ")
    assert "\n" not in str(err)
    assert _schema_errors(_st(pred)), "the published schema refuses it too"


TRAILING_NEWLINE = [
    # Python's ``$`` matches before a final newline: the schema's patterns end in ``$(?!\n)`` to refuse it
    (lambda p: p["entries"][0]["claim"].update(radius="0.378\n"), 0, "claim.radius"),
    (lambda p: p["statistics"].update(alpha="0.001\n"), None, "predicate.statistics.alpha"),
    (lambda p: p["entries"][0].update(input_sha256="b" * 64 + "\n"), 0, "input_sha256"),
]


@pytest.mark.parametrize(("mutate", "entry", "field"), TRAILING_NEWLINE)
def test_a_trailing_newline_is_refused_by_the_reader_and_the_schema(
    mutate: Any, entry: int | None, field: str
) -> None:
    pred = family("gaussian")
    mutate(pred)
    assert _schema_errors(_st(pred)), "the published schema refuses it"
    with pytest.raises(FormatError) as exc:
        validate_schema(_st(pred))
    assert (exc.value.entry, exc.value.field) == (entry, field)


def test_statement_envelope_fields_are_checked() -> None:
    st = _st(family("gaussian"))
    st["predicateType"] = "https://example.com/other"
    with pytest.raises(FormatError, match="predicateType"):
        validate_schema(st)
    st = _st(family("gaussian"))
    st["subject"] = []
    with pytest.raises(FormatError):
        validate_schema(st)


SEMANTIC_CASES = [
    (lambda p: p["entries"][0].update(counts=[1, 2, 95, 3]), 0, "counts", "add up to 101"),
    (lambda p: p["entries"][0].update(counts=[1, 2, 97]), 0, "counts", "3 items"),
    (lambda p: p["entries"][1].update(selection_counts=[5, 5, 0, 1]), 1, "selection_counts", "n0=10"),
    (lambda p: p["entries"][0].update(true_label=4), 0, "true_label", "outside"),
    (lambda p: p["entries"][0]["claim"].update(label=7), 0, "claim.label", "outside"),
    (lambda p: p["statistics"].update(alpha="1"), None, "statistics.alpha", "(0, 1)"),
    (
        lambda p: p["statistics"].update(
            alpha_split=[{"bound": "a", "alpha": "0.0008"}, {"bound": "b", "alpha": "0.0003"}]
        ),
        None,
        "statistics.alpha_split",
        "more than alpha",
    ),
    (lambda p: p["smoothing"].update(sigma="0"), None, "smoothing.sigma", "> 0"),
    (lambda p: p["guarantee"].update(k=4), None, "guarantee.k", "below"),
    (
        lambda p: p["smoothing"].update(family="laplace", sigma=None, **{"lambda": "0.5"}),
        None,
        "guarantee.norm",
        "laplace noise does not certify l2",
    ),
    (lambda p: p["statistics"].update(selection="fixed-label"), None, "statistics.n0", "separate-draw"),
    (lambda p: p["entries"][1].update(id="digits-test:0"), 1, "id", "duplicate"),
    (lambda p: p["summary"]["certified_accuracy"][0].update(claimed="1.5"), None, "summary", "[0, 1]"),
]


@pytest.mark.parametrize(("mutate", "entry", "field", "text"), SEMANTIC_CASES)
def test_semantic_problems(mutate: Any, entry: int | None, field: str, text: str) -> None:
    pred = family("gaussian")
    mutate(pred)
    assert _schema_errors(_st(pred)) == []  # schema-valid but inconsistent
    st = validate_schema(_st(pred))
    problems = semantic_problems(st)
    assert len(problems) == 1, problems
    (p,) = problems
    assert isinstance(p, Problem)
    assert p.entry == entry and p.field.startswith(field) and text in p.message
    with pytest.raises(FormatError) as exc:
        validate_semantics(st, file="c.json")
    assert exc.value.entry == entry and exc.value.file == "c.json"


def test_problems_are_collected_per_entry() -> None:
    pred = family("gaussian")
    pred["entries"][0]["counts"] = [1, 2, 95, 3]
    pred["entries"][1]["true_label"] = 9
    problems = semantic_problems(validate_schema(_st(pred)))
    assert [(p.entry, p.field) for p in problems] == [(0, "counts"), (1, "true_label")]
    with pytest.raises(FormatError, match="1 more"):
        validate_semantics(validate_schema(_st(pred)))


def test_ablation_radius_must_be_an_integer() -> None:
    pred = family("ablation")
    pred["entries"][0]["claim"]["radius"] = "16.5"
    (p,) = semantic_problems(validate_schema(_st(pred)))
    assert (p.entry, p.field) == (0, "claim.radius")


def test_soft_score_consistency() -> None:
    pred = family("soft")
    pred["entries"][0]["scores"]["sumsq"][2] = "95"  # above sum=90.125: impossible for scores in [0,1]
    pred["entries"][1]["scores"]["sum"][0] = "101"  # above n=100
    problems = semantic_problems(validate_schema(_st(pred)))
    assert [(p.entry, p.field) for p in problems] == [(0, "scores.sumsq[2]"), (1, "scores.sum[0]")]


def _with_space(name: str, d: int, shape: list[int] | None) -> dict[str, Any]:
    pred = family(name)
    pred["smoothing"]["d"] = d
    if shape is None:
        pred["smoothing"]["input_space"] = None
    else:
        pred["smoothing"]["input_space"]["shape"] = shape
    if name == "ablation":
        pred["smoothing"]["keep"] = 10  # below every d used here
    return pred


# d against input_space.shape (docs/format.md): gaussian / laplace count coordinates (C*H*W), ablation counts
# pixels (H*W of a (C, H, W) input). Expected values are the products written out by hand.
DIMENSION_OK = [
    ("gaussian", 64, [1, 8, 8]),
    ("gaussian", 3072, [3, 32, 32]),
    ("laplace", 60, [3, 4, 5]),
    ("soft", 64, [1, 8, 8]),
    ("ablation", 64, [1, 8, 8]),
    ("ablation", 1024, [3, 32, 32]),  # 32*32 pixels, not 3*32*32 coordinates
    ("gaussian", 128, None),  # imported from a published log: no input space, nothing to check
    ("ablation", 128, None),
]
DIMENSION_BAD = [
    ("gaussian", 128, [1, 8, 8], "d=64"),
    ("gaussian", 1024, [3, 32, 32], "d=3072"),
    ("laplace", 20, [3, 4, 5], "d=60"),
    ("ablation", 128, [1, 8, 8], "d=64"),  # the reported bug: d 64 -> 128, still passed
    ("ablation", 3072, [3, 32, 32], "d=1024"),
    ("ablation", 64, [8, 8], "(C, H, W)"),
]


@pytest.mark.parametrize(("name", "d", "shape"), DIMENSION_OK)
def test_dimension_agrees_with_the_input_shape(name: str, d: int, shape: list[int] | None) -> None:
    st = validate_schema(_st(_with_space(name, d, shape)))
    assert semantic_problems(st) == []


@pytest.mark.parametrize(("name", "d", "shape", "text"), DIMENSION_BAD)
def test_dimension_contradicting_the_input_shape(name: str, d: int, shape: list[int], text: str) -> None:
    st = validate_schema(_st(_with_space(name, d, shape)))
    (p,) = semantic_problems(st)
    assert (p.entry, p.field) == (None, "smoothing.d") and text in p.message and f"{shape}" in p.message
    with pytest.raises(FormatError) as exc:
        validate_semantics(st, file="c.json")
    assert str(exc.value).startswith("c.json: field 'smoothing.d': ")


def test_input_space_without_shape_is_not_checked() -> None:
    pred = family("gaussian")
    pred["smoothing"]["d"] = 5
    del pred["smoothing"]["input_space"]["shape"]
    st = validate_schema(_st(pred))
    assert semantic_problems(st) == []
