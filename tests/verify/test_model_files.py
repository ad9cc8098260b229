"""``predicate.model_files`` must agree with the subject derived from it (SA006) and with ``--model`` (SA004).

The rule (docs/format.md "Statement"): a single model file's subject digest is its sha256 and model_files has
that one entry; a directory's subject digest is the sha256 of the ``sha256sum``-style manifest of its files.
Every digest below is computed here with hashlib from the bytes written, not by the code under test.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from documents import typed
from verify_builders import entry, predicate

from audit.cli import main as audit_main
from audit.format import (
    Statement,
    check_model_digests,
    encode_certificate,
    generate_private_key,
    public_key_pem,
)
from audit.verify.pipeline import VerifyOptions, verify_statement

COUNTS = [99000, 500, 500] + [0] * 7  # Cohen cp at alpha 0.001: radius ~0.565 >= 0.5, certified
WEIGHTS = b"model weights"
SHA_W = hashlib.sha256(WEIGHTS).hexdigest()
ZEROS = "0" * 64


def _statement(model_files: list[dict[str, str]], subject_sha: str) -> Statement:
    p = predicate()
    p["entries"] = [entry(i, 0, "0.5", counts=list(COUNTS)) for i in range(2)]
    p["model_files"] = model_files
    return typed(p, [{"name": "m.safetensors", "digest": {"sha256": subject_sha}}])


def _rules(st: Statement) -> list[str]:
    rep = verify_statement(st, "mem", VerifyOptions(workers=1, slack=False))
    return [f.rule for f in rep.findings]


def test_single_file_consistent_passes() -> None:
    st = _statement([{"name": "m.safetensors", "sha256": SHA_W}], SHA_W)
    rep = verify_statement(st, "mem", VerifyOptions(workers=1, slack=False))
    assert rep.findings == [] and rep.passed and rep.exit_code == 0


def test_single_file_digest_differing_from_subject_fails() -> None:
    st = _statement([{"name": "m.safetensors", "sha256": ZEROS}], SHA_W)
    rep = verify_statement(st, "mem", VerifyOptions(workers=1, slack=False))
    (f,) = rep.findings
    assert f.rule == "SA006" and f.pointer == "/predicate/model_files"
    assert ZEROS in f.message and SHA_W in f.message
    assert not rep.passed and rep.exit_code == 1  # a failure, not malformed input
    assert [e.verdict for e in rep.entries] == ["certified", "certified"]  # the evidence itself is fine


def _manifest(files: list[tuple[str, bytes]]) -> tuple[list[dict[str, str]], str]:
    listed = sorted((name, hashlib.sha256(data).hexdigest()) for name, data in files)
    text = "".join(f"{h}  {name}\n" for name, h in listed)
    return [{"name": n, "sha256": h} for n, h in listed], hashlib.sha256(text.encode()).hexdigest()


def test_directory_manifest_rule() -> None:
    files, root = _manifest([("b.bin", b"B"), ("sub/a.bin", b"A")])
    assert _rules(_statement(files, root)) == []
    altered = [dict(files[0]), {"name": files[1]["name"], "sha256": ZEROS}]
    assert _rules(_statement(altered, root)) == ["SA006"]
    renamed = [dict(files[0]), {"name": "sub/other.bin", "sha256": files[1]["sha256"]}]
    assert _rules(_statement(renamed, root)) == ["SA006"]  # names are part of the manifest
    one, one_root = _manifest([("w.bin", WEIGHTS)])
    assert one_root != SHA_W
    assert _rules(_statement(one, one_root)) == []  # a directory holding one file
    assert _rules(_statement(one, SHA_W)) == []  # the same entry read as a single file


def test_empty_model_files_is_not_checked() -> None:
    # imported certificates (published logs) name no model: nothing to compare
    assert _rules(_statement([], ZEROS[:-1] + "1")) == []


def test_check_model_digests_compares_a_single_files_model_files(tmp_path: Path) -> None:
    model = tmp_path / "m.safetensors"
    model.write_bytes(WEIGHTS)
    assert check_model_digests(_statement([{"name": "m.safetensors", "sha256": SHA_W}], SHA_W), model) == []
    assert check_model_digests(_statement([], SHA_W), model) == []
    (msg,) = check_model_digests(_statement([{"name": "m.safetensors", "sha256": ZEROS}], SHA_W), model)
    assert ZEROS in msg and SHA_W in msg and str(model) in msg
    two = [{"name": "a", "sha256": SHA_W}, {"name": "b", "sha256": SHA_W}]
    assert len(check_model_digests(_statement(two, SHA_W), model)) == 1


@pytest.mark.parametrize(
    ("model_files_sha", "want_code", "want_rules", "want_subject"),
    [
        (SHA_W, 0, [], "match"),
        (ZEROS, 1, ["SA006", "SA004"], "mismatch"),  # the reported bug: passed with --model before
    ],
)
def test_resigned_certificate_with_model(
    model_files_sha: str,
    want_code: int,
    want_rules: list[str],
    want_subject: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = tmp_path / "m.safetensors"
    model.write_bytes(WEIGHTS)
    key = generate_private_key()
    pub = tmp_path / "k.pub"
    pub.write_bytes(public_key_pem(key.public_key()))
    cert = tmp_path / "c.json"
    st = _statement([{"name": "m.safetensors", "sha256": model_files_sha}], SHA_W)
    cert.write_bytes(encode_certificate(st, key))  # validly signed: only the content is wrong
    code = audit_main(
        ["verify", str(cert), "--key", str(pub), "--model", str(model), "--json", "--quiet", "--workers", "1"]
    )
    out = capsys.readouterr().out
    assert code == want_code
    (f,) = json.loads(out)["files"]
    assert f["signature"] == "valid" and f["subject"] == want_subject
    assert [x["rule"] for x in f["findings"]] == want_rules
    for x in f["findings"]:
        assert x["severity"] == "error" and "structural" not in x
