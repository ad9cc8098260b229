"""The process pool gives exactly the in-process verdicts (order and content)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from audit.format import load_certificate
from audit.verify.pipeline import VerifyOptions, verify_statement

CASES = Path(__file__).resolve().parents[2] / "cases"


def test_pool_matches_in_process() -> None:
    loaded = load_certificate(CASES / "counts_not_summing.json", [CASES / "keys" / "test-release.pub"])
    stmt = copy.deepcopy(loaded.statement)
    assert stmt is not None
    base = stmt["predicate"]["entries"]
    entries = []
    for rep in range(7):  # 84 entries > POOL_THRESHOLD
        for e in base:
            e2 = copy.deepcopy(e)
            e2["id"] = f"{e['id']}#{rep}"
            e2["input_sha256"] = None
            entries.append(e2)
    stmt["predicate"]["entries"] = entries
    one = verify_statement(stmt, "x", VerifyOptions(workers=1, slack=False))
    two = verify_statement(stmt, "x", VerifyOptions(workers=2, slack=False))
    assert json.dumps(one.to_json()) == json.dumps(two.to_json())
    assert [str(e.verdict) for e in one.entries].count("inconsistent-evidence") == 7
