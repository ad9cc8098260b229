"""The verifier reads method names through the registry: unknown names and missing method parameters make
the document unreadable (exit 2, the field named); every asymptotic interval is a protocol violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from documents import typed
from verify_builders import SUBJECT, entry, predicate

from audit.cli import main as audit_main
from audit.errors import FormatError
from audit.format import encode_certificate
from audit.theory import methods
from audit.verify.pipeline import VerifyOptions, verify_statement

COUNTS = [99000, 500, 500] + [0] * 7


def _pred(**statistics: object) -> dict:
    p = predicate()
    p["entries"] = [
        entry(i, 0, "0.5", counts=list(COUNTS), selection_counts=[100] + [0] * 9) for i in range(2)
    ]
    p["statistics"].update(n0=100, selection="separate-draw", **statistics)
    return p


@pytest.mark.parametrize("interval", [m.name for m in methods.intervals() if not m.finite_sample])
def test_every_asymptotic_interval_is_a_protocol_violation(interval: str) -> None:
    rep = verify_statement(typed(_pred(interval=interval), SUBJECT), "mem", VerifyOptions(workers=1))
    assert [f.rule for f in rep.findings] == ["SA203"]
    assert {str(e.verdict) for e in rep.entries} == {"protocol-violation"}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["statistics"].update(interval="wilson"), "predicate.statistics.interval"),
        (
            lambda p: p["guarantee"].update(radius_method="cohen-three-bound"),
            "predicate.guarantee.radius_method",
        ),
        (
            lambda p: p["guarantee"].update(radius_method="soft-lipschitz", output="hard"),
            "predicate.guarantee.lipschitz",
        ),
    ],
)
def test_unknown_names_and_missing_parameters_are_unreadable(
    mutate, field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _pred()
    mutate(p)
    st = typed(p, SUBJECT)  # the syntax is valid: only the registry knows these names
    with pytest.raises(FormatError) as exc:
        verify_statement(st, "mem.json", VerifyOptions(workers=1))
    assert exc.value.field == field and exc.value.file == "mem.json"
    cert = tmp_path / "c.json"
    cert.write_bytes(encode_certificate(st, None))
    code = audit_main(["verify", str(cert), "--allow-unsigned", "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2 and f"field '{field}'" in err
    assert json.loads(out)["files"][0]["exit_code"] == 2
