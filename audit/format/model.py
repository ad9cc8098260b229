"""The certificate as typed, frozen objects: decoded and validated in one pass, encoded back byte for byte.

A Statement is parsed once (:func:`decode_statement`) into the classes below; nothing after this module reads
raw JSON. Field names follow the JSON document (``docs/format.md``), except ``lambda`` (``Smoothing.lam``),
``_type`` and ``predicateType``. Real numbers are :class:`~audit.format.numbers.Dec` (text + exact value);
counts are Python ints.

Guarantees:

* :func:`decode_statement` accepts exactly what the published JSON Schema (``schema/certificate.schema.json``)
  accepts, except that it is stricter where the schema's regular expressions are lax: a decimal or a digest
  with a trailing newline is refused here (Python's ``$`` matches before a final newline), and an integer
  must be written as a JSON integer (``3.0`` is not a count; ``true`` is not 1). Unknown members
  are ignored, as the schema allows. Every refusal is a :class:`~audit.errors.FormatError` naming the entry
  index (for ``predicate.entries[i]...``) and the field.
* :func:`encode_statement` is the canonical payload encoding (sorted keys, compact, ASCII): for a document
  without unknown members, ``encode_statement(decode_statement(doc))`` gives the bytes of
  ``dumps_json(doc)``. Optional extension members (``imported``, the issuer's sampler details) are written
  only when present.
* Interval and radius-method names are checked for syntax only; which names exist is the method registry's
  business (:mod:`audit.theory.methods`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType, field

from audit.errors import FormatError
from audit.format.io import dumps_json
from audit.format.limits import CLASSES
from audit.format.numbers import Dec, NonNegDec, NumberError

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://smoothing-audit.dev/certificate/v1"
FORMAT_VERSION = 1

INT63 = 2**63 - 1
NAME_PATTERN = r"\A[a-z][a-z0-9-]{0,63}\Z"

Sha256 = Annotated[str, Meta(pattern=r"\A[0-9a-f]{64}\Z")]
Name = Annotated[str, Meta(pattern=NAME_PATTERN)]
_DATE_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})"
Created = Annotated[str, Meta(pattern=rf"\A{_DATE_TIME}\Z")]
Count = Annotated[int, Meta(ge=0, le=INT63)]
Counts = Annotated[list[Count], Meta(min_length=2, max_length=CLASSES.value)]
Label = Annotated[int, Meta(ge=0, le=CLASSES.value - 1)]
Positive = Annotated[int, Meta(ge=1, le=INT63)]
Seed = Annotated[int, Meta(ge=0, le=INT63)]  # the JSON reader bounds every integer to int64
Family = Literal["gaussian", "laplace", "ablation"]
Norm = Literal["l2", "l1", "l0"]
Output = Literal["hard", "soft"]
Selection = Literal["separate-draw", "fixed-label", "estimation-reuse"]


Text64 = Annotated[str, Meta(min_length=1, max_length=64)]
Text256 = Annotated[str, Meta(max_length=256)]
Name256 = Annotated[str, Meta(min_length=1, max_length=256)]
Text1024 = Annotated[str, Meta(max_length=1024)]
Id1024 = Annotated[str, Meta(min_length=1, max_length=1024)]
Path4096 = Annotated[str, Meta(min_length=1, max_length=4096)]


class _Frozen(Struct, frozen=True, kw_only=True):
    """Base of every document class: immutable, keyword construction."""


class Digest(_Frozen):
    sha256: Sha256


class Subject(_Frozen):
    name: Path4096
    digest: Digest


class ModelFile(_Frozen):
    name: Path4096
    sha256: Sha256


class InputSpace(_Frozen):
    shape: Annotated[list[Annotated[int, Meta(ge=1)]], Meta(max_length=16)] | UnsetType = UNSET
    low: Dec | UnsetType | None = UNSET
    high: Dec | UnsetType | None = UNSET
    units: Text1024 | UnsetType = UNSET


class Smoothing(_Frozen):
    """Noise family and its parameter (σ, λ or the kept count), the dimension, the input space."""

    family: Family
    sigma: NonNegDec | None
    lam: NonNegDec | None = field(name="lambda")
    keep: Positive | None
    d: Positive
    input_space: InputSpace | None
    ablated_encoding: Text1024 | None

    def __post_init__(self) -> None:
        param = {
            "gaussian": ("sigma", self.sigma),
            "laplace": ("lambda", self.lam),
            "ablation": ("keep", self.keep),
        }
        name, value = param[self.family]
        if value is None:
            raise FormatError(f"{self.family} noise needs {name}", field=f"predicate.smoothing.{name}")


class Guarantee(_Frozen):
    norm: Norm
    k: Annotated[int, Meta(ge=1, le=100_000)]
    output: Output
    radius_method: Name
    lipschitz: NonNegDec | None


class AlphaPart(_Frozen):
    bound: Name256
    alpha: NonNegDec


class Statistics(_Frozen):
    alpha: NonNegDec
    interval: Name
    alpha_split: Annotated[list[AlphaPart], Meta(min_length=1, max_length=100_000)]
    selection: Selection
    n0: Positive | None
    n: Positive
    num_classes: Annotated[int, Meta(ge=2, le=CLASSES.value)]

    def __post_init__(self) -> None:
        if self.selection == "separate-draw" and self.n0 is None:
            raise FormatError("separate-draw selection needs n0", field="predicate.statistics.n0")


_MaybeStr = str | None | UnsetType


class Sampler(_Frozen):
    """How the evidence was drawn. The members after ``base_seed`` are written by ``certs certify``."""

    software: dict[str, Text256]
    device: Text256 | None
    dtype: Annotated[str, Meta(max_length=64)] | None
    batch_size: Positive | None
    rng: Text1024 | None
    base_seed: Seed | None
    seed_rule: Text64 | UnsetType = UNSET
    chunk_size: Positive | UnsetType = UNSET
    device_type: _MaybeStr = UNSET
    rng_device: _MaybeStr = UNSET
    model_builder: _MaybeStr = UNSET
    model_kind: _MaybeStr = UNSET
    label_rule: _MaybeStr = UNSET
    graph: _MaybeStr = UNSET
    graph_note: _MaybeStr = UNSET
    cudnn: _MaybeStr = UNSET


class SidecarRef(_Frozen):
    path: Path4096
    sha256: Sha256


_Scores = Annotated[list[NonNegDec], Meta(min_length=2, max_length=100_000)]


class Scores(_Frozen):
    """Per-class sums of scores in [0, 1] and of their squares; optionally the per-sample sidecar."""

    sum: _Scores
    sumsq: _Scores
    sidecar: SidecarRef | UnsetType | None = UNSET


class Claim(_Frozen):
    abstain: bool
    label: Label | None
    radius: NonNegDec | None

    def __post_init__(self) -> None:
        if self.abstain and (self.label is not None or self.radius is not None):
            raise ValueError("an abstaining claim has label and radius null")
        if not self.abstain and (self.label is None or self.radius is None):
            raise ValueError("a claim that does not abstain needs a label and a radius")


class EntryImport(_Frozen):
    """Where an imported entry came from (``audit import``)."""

    source: str
    line: int
    printed_radius: str | UnsetType = UNSET
    reconstructed: list[str] | UnsetType = UNSET


class Entry(_Frozen):
    id: Id1024
    input_sha256: Sha256 | None
    true_label: Label | None
    seed: Seed | None
    selection_counts: Counts | None
    counts: Counts | None
    scores: Scores | None
    claim: Claim
    imported: EntryImport | UnsetType = UNSET


class AccuracyRow(_Frozen):
    radius: NonNegDec
    claimed: NonNegDec
    population_lower: Dec | UnsetType | None = UNSET
    rho: NonNegDec | UnsetType | None = UNSET


class Summary(_Frozen):
    certified_accuracy: Annotated[list[AccuracyRow], Meta(max_length=100_000)]


class Tool(_Frozen):
    name: Name256
    version: Name256


class PredicateImport(_Frozen):
    source: str
    log: str
    radius_digits: int


class Predicate(_Frozen):
    """The certificate proper: what was smoothed, what is guaranteed, the statistics and the evidence."""

    format_version: Literal[1]
    created: Created
    tool: Tool
    model_files: Annotated[list[ModelFile], Meta(max_length=100_000)]
    smoothing: Smoothing
    guarantee: Guarantee
    statistics: Statistics
    sampler: Sampler
    entries: Annotated[list[Entry], Meta(max_length=10_000_000)]
    summary: Summary
    imported: PredicateImport | UnsetType = UNSET

    def __post_init__(self) -> None:
        need = "counts" if self.guarantee.output == "hard" else "scores"
        separate = self.statistics.selection == "separate-draw"
        for i, e in enumerate(self.entries):
            if getattr(e, need) is None:
                raise FormatError(f"{self.guarantee.output} output needs {need}", entry=i, field=need)
            if separate and e.selection_counts is None:
                msg = "separate-draw selection needs selection_counts"
                raise FormatError(msg, entry=i, field="selection_counts")


class Statement(_Frozen):
    """An in-toto Statement v1 whose predicate is a certificate."""

    type: Literal["https://in-toto.io/Statement/v1"] = field(name="_type")
    subject: Annotated[list[Subject], Meta(min_length=1, max_length=10_000)]
    predicate_type: Literal["https://smoothing-audit.dev/certificate/v1"] = field(name="predicateType")
    predicate: Predicate


def _dec_hook(tp: type, obj: Any) -> Any:
    if tp in (Dec, NonNegDec):
        if not isinstance(obj, str):
            raise TypeError(f"Expected a decimal string, got `{type(obj).__name__}`")
        try:
            return tp(obj)
        except NumberError as exc:
            raise ValueError(exc.message) from None
    raise NotImplementedError(f"no decoder for {tp}")


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, Dec):
        return obj.text
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


_AT = re.compile(r"^(?P<msg>.*) - at `\$(?P<path>[^`]*)`$", re.S)
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _location(path: str) -> tuple[int | None, str]:
    """(entry index, dotted field) of a msgspec path like ``.predicate.entries[3].counts[1]``."""
    parts: list[str | int] = [
        m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _STEP.finditer(path)
    ]
    if len(parts) >= 3 and parts[:2] == ["predicate", "entries"] and isinstance(parts[2], int):
        return parts[2], _dotted(parts[3:]) or "entries"
    return None, _dotted(parts) or "(document)"


def _dotted(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _format_error(exc: msgspec.ValidationError, file: str | None) -> FormatError:
    text = str(exc)
    m = _AT.match(text)
    message, where = (m.group("msg"), m.group("path")) if m else (text, "")
    entry, field_name = _location(where)
    if len(message) > 200:
        message = message[:200] + "..."
    return FormatError(f"schema violation: {message}", file=file, entry=entry, field=field_name)


def decode(obj: Any, tp: Any, *, file: str | None = None) -> Any:
    """``obj`` (parsed JSON) as the document type ``tp`` (e.g. ``list[Entry]``), validated in the same pass;
    :class:`FormatError` naming file, entry and field otherwise."""
    try:
        return msgspec.convert(obj, tp, strict=True, dec_hook=_dec_hook)
    except msgspec.ValidationError as exc:
        raise _format_error(exc, file) from None
    except FormatError as exc:
        raise exc.with_location(file=file) from None


def decode_statement(obj: Any, *, file: str | None = None) -> Statement:
    """The typed :class:`Statement` of a parsed JSON value; :class:`FormatError` (file, entry, field) if the
    value is not a valid certificate statement."""
    if not isinstance(obj, Mapping):
        raise FormatError("certificate payload must be a JSON object", file=file)
    return decode(obj, Statement, file=file)


def to_builtins(value: Any) -> Any:
    """A document object as plain JSON values (dicts, lists, strings, ints; absent members omitted)."""
    return msgspec.to_builtins(value, enc_hook=_enc_hook)


def encode_statement(statement: Statement) -> bytes:
    """Canonical payload bytes of a statement (sorted keys, compact, ASCII)."""
    return dumps_json(to_builtins(statement))


def replace(obj: Any, **changes: Any) -> Any:
    """A copy of a document object with some members changed (not validated again)."""
    return msgspec.structs.replace(obj, **changes)
