"""Property-based fuzzing of the CLI (hypothesis, hypothesis-jsonschema): the invariants of the hostile-input
contract hold for every generated input.

Invariants checked on every example:
* no exception escapes ``audit`` and it returns within the deadline; the exit code is 0, 1 or 2;
* every report written parses: the JSON report (and its ``exit_code`` is the exit code), the JUnit file with
  an XML parser, the SARIF file in an independent SARIF 2.1.0 model (sarif-pydantic);
* nothing on stderr is a terminal control character (other than the line ends);
* a tampered signed payload, or bytes that are not a certificate, never exit 0.

Certificates are schema-valid parts (generated from the published JSON Schema) put into a valid sample,
signed with the test key. ``FUZZ_EXAMPLES`` (default 20) sets the examples per property; CI runs the
derandomized default (a fixed, seeded slice).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from harness import ROOT, run_cli, sign_payload, signed_sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from sarif_pydantic import Sarif

PUB = str(ROOT / "cases" / "keys" / "test-release.pub")
SCHEMA = json.loads((ROOT / "audit" / "format" / "schema" / "certificate.schema.json").read_text())
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # run_cli has its own deadline (a hang is the finding, not a slow example)
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def part(name: str) -> st.SearchStrategy[Any]:
    """Schema-valid values of ``$defs/NAME`` of the published certificate schema."""
    return from_schema({"$ref": f"#/$defs/{name}", "$defs": SCHEMA["$defs"]})


def verify_with_reports(cert: Path, *extra: str) -> int:
    """``audit verify`` with all three reports; checks every report invariant and returns the exit code."""
    junit, sarif = cert.with_suffix(".xml"), cert.with_suffix(".sarif")
    for p in (junit, sarif):
        p.unlink(missing_ok=True)
    out, err = io.StringIO(), io.StringIO()
    argv = ["verify", str(cert), *extra, "--json", "--junit", str(junit), "--sarif", str(sarif)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_cli([*argv, "--workers", "1", "--precision", "20", "--no-slack"])
    assert code in (0, 1, 2)
    assert json.loads(out.getvalue())["exit_code"] == code
    ET.parse(junit)
    Sarif.model_validate(json.loads(sarif.read_text(encoding="utf-8")))
    bad = [c for c in err.getvalue() if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    assert bad == [], f"control characters on stderr: {bad!r}"
    return code


def _put(where: str, value: Any) -> Any:
    def mutate(p: dict[str, Any]) -> None:
        if where == "entry":
            p["entries"][0] = value
        elif where == "claim":
            p["entries"][0]["claim"] = value
        elif where == "scores":
            p["entries"][0]["scores"] = value
        else:
            p[where] = value

    return mutate


PARTS = st.sampled_from(["claim", "entry", "scores", "statistics", "smoothing", "guarantee", "summary"])


@FUZZ
@given(data=st.data())
def test_schema_valid_parts_in_a_signed_certificate(data: st.DataObject, tmp_path: Path) -> None:
    where = data.draw(PARTS)
    value = data.draw(part({"entry": "entry", "claim": "claim"}.get(where, where)))
    cert = signed_sample(tmp_path / "c.json", _put(where, value))
    verify_with_reports(cert, "--key", PUB)


@FUZZ
@given(radius=part("nonnegDecimal"), label=st.integers(0, 3))
def test_any_claimed_radius_gets_a_verdict(radius: str, label: int, tmp_path: Path) -> None:
    claim = {"abstain": False, "label": label, "radius": radius}
    cert = signed_sample(tmp_path / "c.json", _put("claim", claim))
    assert verify_with_reports(cert, "--key", PUB) in (0, 1)  # a valid document: a verdict, never bad input


VALID = (ROOT / "cases" / "valid_top1.json").read_bytes()


def _payload(envelope: bytes) -> bytes:
    return base64.b64decode(json.loads(envelope)["payload"])


@FUZZ
@given(data=st.data())
def test_a_tampered_payload_never_passes(data: st.DataObject, tmp_path: Path) -> None:
    payload = bytearray(_payload(VALID))
    i = data.draw(st.integers(0, len(payload) - 1))
    op = data.draw(st.sampled_from(["flip", "insert", "delete"]))
    if op == "flip":
        payload[i] ^= data.draw(st.integers(1, 255))
    elif op == "insert":
        payload[i:i] = data.draw(st.binary(min_size=1, max_size=8))
    else:
        del payload[i : i + data.draw(st.integers(1, 8))]
    doc = json.loads(VALID)
    doc["payload"] = base64.b64encode(bytes(payload)).decode()  # the old signature over the new payload
    cert = tmp_path / "t.json"
    cert.write_text(json.dumps(doc))
    assert verify_with_reports(cert, "--key", PUB) == 1


@FUZZ
@given(blob=st.binary(max_size=2048) | st.text(max_size=512).map(str.encode))
def test_bytes_that_are_not_a_certificate_never_pass(blob: bytes, tmp_path: Path) -> None:
    cert = tmp_path / "b.json"
    cert.write_bytes(blob)
    assert verify_with_reports(cert, "--allow-unsigned") == 2


@FUZZ
@given(payload=st.binary(max_size=1024))
def test_signed_garbage_payload_is_bad_input(payload: bytes, tmp_path: Path) -> None:
    cert = sign_payload(tmp_path / "g.json", payload)
    assert verify_with_reports(cert, "--key", PUB) == 2


CELL = st.one_of(
    st.integers(-3, 1200).map(str),
    st.sampled_from(["0.0", "0.5", "1.23", "-1", "", " ", "1e3", "0x10", "٣", "1_0", "nan", "inf", "0.25\r"]),
    st.text(max_size=6),
)
ROW = st.lists(CELL, min_size=0, max_size=8).map("\t".join)
HEADER = "idx\tlabel\tpredict\tradius\tcorrect\ttime"


@FUZZ
@given(rows=st.lists(ROW, max_size=6), header=st.booleans(), crlf=st.booleans())
def test_mangled_cohen_logs_never_crash(rows: list[str], header: bool, crlf: bool, tmp_path: Path) -> None:
    log = tmp_path / "log.tsv"
    log.write_text(("\r\n" if crlf else "\n").join(([HEADER] if header else []) + rows), encoding="utf-8")
    out = tmp_path / "c.json"
    out.unlink(missing_ok=True)  # tmp_path is shared by the examples
    argv = ["import", "cohen", str(log), "--sigma", "0.25", "--n", "1000", "--alpha", "0.001"]
    argv += ["--out", str(out)]
    with contextlib.redirect_stderr(io.StringIO()):
        code = run_cli([*argv, "--precision", "20"])
    assert code in (0, 1, 2)
    assert (code == 2) != out.exists()  # a certificate is written exactly when the log was read
