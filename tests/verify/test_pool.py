"""The process pool gives exactly the in-process verdicts (order and content)."""

from __future__ import annotations

import json
from pathlib import Path

from audit.format import load_certificate
from audit.format.model import replace
from audit.verify.pipeline import VerifyOptions, verify_statement

CASES = Path(__file__).resolve().parents[2] / "cases"


def test_pool_matches_in_process() -> None:
    loaded = load_certificate(CASES / "counts_not_summing.json", [CASES / "keys" / "test-release.pub"])
    assert loaded.statement is not None
    base = loaded.statement.predicate.entries
    entries = [replace(e, id=f"{e.id}#{rep}", input_sha256=None) for rep in range(7) for e in base]  # 84 > 64
    stmt = replace(loaded.statement, predicate=replace(loaded.statement.predicate, entries=entries))
    one = verify_statement(stmt, "x", VerifyOptions(workers=1, slack=False))
    two = verify_statement(stmt, "x", VerifyOptions(workers=2, slack=False))
    assert json.dumps(one.to_json()) == json.dumps(two.to_json())
    assert [str(e.verdict) for e in one.entries].count("inconsistent-evidence") == 7
