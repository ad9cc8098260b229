"""Hand-made bad certificate files (test data): each must be refused as unreadable input (exit 2)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

from documents import statement_dict
from format_samples import SUBJECTS, family

SPARSE_SIZE = 300 * 1024 * 1024


def statement_text() -> str:
    return json.dumps(statement_dict(family("gaussian"), SUBJECTS), sort_keys=True, separators=(",", ":"))


def envelope(payload: bytes, ptype: str = "application/vnd.in-toto+json") -> bytes:
    doc = {"payloadType": ptype, "payload": base64.b64encode(payload).decode(), "signatures": []}
    return json.dumps(doc, indent=2).encode()


def _payload_replace(old: str, new: str) -> bytes:
    text = statement_text()
    assert old in text, old
    return envelope(text.replace(old, new, 1).encode())


def _missing_field() -> bytes:
    st = json.loads(statement_text())
    del st["predicate"]["statistics"]
    return envelope(json.dumps(st).encode())


def _deep_payload() -> bytes:
    st = json.loads(statement_text())
    text = json.dumps(st)
    depth = 50_000
    return envelope(
        text.replace('"summary":', '"deep":' + "[" * depth + "]" * depth + ',"summary":', 1).encode()
    )


COUNTS = '"counts":[1,2,95,2]'

# name -> writer(path); `where` = expected location text in the one-line message
CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (lambda p: p.write_bytes(envelope(statement_text().encode())[:150]), ""),
    "not-json": (lambda p: p.write_bytes(b"this is not a certificate\n"), ""),
    "empty": (lambda p: p.write_bytes(b""), ""),
    "nan-in-payload": (lambda p: p.write_bytes(_payload_replace(COUNTS, '"counts":[NaN,2,95,2]')), "NaN"),
    "infinity-in-payload": (
        lambda p: p.write_bytes(_payload_replace('"n":100', '"n":Infinity')),
        "Infinity",
    ),
    "nan-in-envelope": (
        lambda p: p.write_bytes(b'{"payloadType": NaN, "payload": "", "signatures": []}'),
        "NaN",
    ),
    "wrong-type-count": (
        lambda p: p.write_bytes(_payload_replace(COUNTS, '"counts":["1",2,95,2]')),
        "entry 0",
    ),
    "float-count": (lambda p: p.write_bytes(_payload_replace(COUNTS, '"counts":[1.5,2,95,2]')), "entry 0"),
    "negative-count": (lambda p: p.write_bytes(_payload_replace(COUNTS, '"counts":[-1,2,95,2]')), "entry 0"),
    "wrong-type-alpha": (
        lambda p: p.write_bytes(_payload_replace('"alpha":"0.001"', '"alpha":0.001')),
        "alpha",
    ),
    "missing-field": (lambda p: p.write_bytes(_missing_field()), "statistics"),
    "huge-number": (
        lambda p: p.write_bytes(_payload_replace(COUNTS, '"counts":[100000000000000000000000000000,2,95,2]')),
        "too large",
    ),
    "huge-n": (lambda p: p.write_bytes(_payload_replace('"n":100', '"n":9223372036854775808')), "outside"),
    "deep-payload": (lambda p: p.write_bytes(_deep_payload()), "nested"),
    "deep-envelope": (lambda p: p.write_bytes(b"[" * 100_000 + b"]" * 100_000), "nested"),
    "unknown-payload-type": (
        lambda p: p.write_bytes(envelope(statement_text().encode(), ptype="text/plain")),
        "payloadType",
    ),
    "duplicate-key": (lambda p: p.write_bytes(_payload_replace('"n":100', '"n":100,"n":100')), "duplicate"),
    "sparse-300MiB": (lambda p: _sparse(p), "above the limit"),
}


def counts_not_summing() -> bytes:
    """Schema-valid JSON whose evidence contradicts itself: entry 0 counts add up to 101, n = 100."""
    return _payload_replace(COUNTS, '"counts":[1,2,95,3]')


def _sparse(p: Path) -> None:
    with open(p, "wb") as fh:
        fh.truncate(SPARSE_SIZE)
