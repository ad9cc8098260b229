"""Test helpers: certificate documents are written as plain dicts in tests (test data) and decoded into the
typed model at the API boundary, the way the verifier reads them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from audit.format import PREDICATE_TYPE, STATEMENT_TYPE, Statement, decode_statement
from audit.format.model import to_builtins


def statement_dict(predicate: Mapping[str, Any], subjects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An in-toto Statement v1 (as a dict) around a predicate dict."""
    return {"_type": STATEMENT_TYPE, "subject": [dict(s) for s in subjects], "predicateType": PREDICATE_TYPE,
            "predicate": dict(predicate)}  # fmt: skip


def typed(predicate: Mapping[str, Any], subjects: Sequence[Mapping[str, Any]]) -> Statement:
    """The typed statement of a predicate dict (FormatError if the reader would refuse it)."""
    return decode_statement(statement_dict(predicate, subjects))


def as_dict(document: Any) -> Any:
    """A typed document object as plain JSON values (to mutate in a test)."""
    return to_builtins(document)
