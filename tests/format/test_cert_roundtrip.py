"""build → sign → write → load → verify for every noise family the format supports, plus model digests."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from documents import as_dict, typed
from format_samples import SUBJECTS, family

from audit.errors import AuditError, FormatError, InputError
from audit.format import (
    PREDICATE_TYPE,
    SignatureRejected,
    SignatureStatus,
    check_model_digests,
    decode_statement,
    encode_statement,
    load_certificate,
    model_digests,
    semantic_problems,
    sign_certificate_file,
    write_certificate,
)
from audit.format.keys import key_id, private_key_pem, public_key_pem
from audit.format.model import replace


@pytest.mark.parametrize("name", ["gaussian", "laplace", "ablation", "soft"])
def test_round_trip_signed(name: str, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pub = tmp_path / "k.pub.pem"
    pub.write_bytes(public_key_pem(key.public_key()))
    predicate = family(name)
    cert = tmp_path / "cert.json"
    write_certificate(cert, typed(predicate, SUBJECTS), key)
    loaded = load_certificate(cert, [Ed25519PrivateKey.generate().public_key(), pub])
    assert loaded.signature is SignatureStatus.VALID and loaded.accepted
    assert loaded.key_index == 1 and loaded.key_id == key_id(key)
    assert loaded.statement is not None
    assert as_dict(loaded.statement.predicate) == predicate  # exact values survive, types included
    assert as_dict(loaded.statement.subject) == SUBJECTS
    assert loaded.statement.predicate_type == PREDICATE_TYPE
    assert semantic_problems(loaded.statement) == []
    # The file is a DSSE envelope whose payload decodes to exactly the verified bytes.
    env = json.loads(cert.read_text())
    assert base64.b64decode(env["payload"]) == loaded.payload
    assert json.loads(loaded.payload) == as_dict(loaded.statement)


@pytest.mark.parametrize("name", ["gaussian", "soft"])
def test_unsigned_then_certs_sign(name: str, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    cert = tmp_path / "cert.json"
    write_certificate(cert, typed(family(name), SUBJECTS), None)
    with pytest.raises(SignatureRejected) as exc:
        load_certificate(cert, [key.public_key()])
    assert exc.value.status is SignatureStatus.UNSIGNED
    unsigned = load_certificate(cert, [key.public_key()], allow_unsigned=True)
    assert unsigned.signature is SignatureStatus.UNSIGNED and unsigned.statement is not None
    payload_before = unsigned.payload
    out = tmp_path / "signed.json"
    sign_certificate_file(cert, key, out)
    signed = load_certificate(out, [key.public_key()])
    assert signed.signature is SignatureStatus.VALID
    assert signed.payload == payload_before  # signing does not re-serialise
    with pytest.raises(FormatError, match="already signed"):
        sign_certificate_file(out, key)


def test_write_refuses_what_the_reader_would_refuse(tmp_path: Path) -> None:
    st = typed(family("gaussian"), SUBJECTS)
    bad_entry = replace(st.predicate.entries[0], counts=[-1, 2, 95, 4])  # built by hand, never validated
    bad = replace(st, predicate=replace(st.predicate, entries=[bad_entry, *st.predicate.entries[1:]]))
    with pytest.raises(FormatError) as exc:
        write_certificate(tmp_path / "c.json", bad, None)
    assert (
        exc.value.entry == 0 and exc.value.field == "counts[0]" and exc.value.file == str(tmp_path / "c.json")
    )
    odd = replace(st, predicate=replace(st.predicate, sampler=replace(st.predicate.sampler, base_seed=2**63)))
    with pytest.raises(AuditError):  # an integer JSON cannot carry as int64
        write_certificate(tmp_path / "c.json", odd, None)
    assert not (tmp_path / "c.json").exists()


def test_signing_refuses_garbage_payload(tmp_path: Path) -> None:
    cert = tmp_path / "c.json"
    doc = {
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64.b64encode(b'{"a": NaN}').decode(),
        "signatures": [],
    }
    cert.write_text(json.dumps(doc))
    with pytest.raises(InputError):
        sign_certificate_file(cert, Ed25519PrivateKey.generate())


def test_model_digests_file_and_directory(tmp_path: Path) -> None:
    f = tmp_path / "m.safetensors"
    f.write_bytes(b"weights")
    single = model_digests(f)
    assert as_dict(single.subject) == {
        "name": "m.safetensors",
        "digest": {"sha256": hashlib.sha256(b"weights").hexdigest()},
    }
    d = tmp_path / "model"
    (d / "sub").mkdir(parents=True)
    (d / "b.bin").write_bytes(b"B")
    (d / "sub" / "a.bin").write_bytes(b"A")
    digests = model_digests(d)
    ha, hb = hashlib.sha256(b"A").hexdigest(), hashlib.sha256(b"B").hexdigest()
    assert as_dict(digests.model_files) == [
        {"name": "b.bin", "sha256": hb},
        {"name": "sub/a.bin", "sha256": ha},
    ]
    # Root digest = sha256 of `sha256sum`-style manifest, computed here by hand.
    manifest = f"{hb}  b.bin\n{ha}  sub/a.bin\n".encode()
    assert digests.subject.digest.sha256 == hashlib.sha256(manifest).hexdigest()
    # Check against a certificate statement, then tamper with one file.
    pred = family("gaussian")
    pred["model_files"] = as_dict(digests.model_files)
    cert = tmp_path / "c.json"
    key = Ed25519PrivateKey.generate()
    (tmp_path / "k.pem").write_bytes(private_key_pem(key))
    write_certificate(cert, typed(pred, [as_dict(digests.subject)]), key)
    st = load_certificate(cert, [key.public_key()]).statement
    assert st is not None and check_model_digests(st, d) == []
    (d / "sub" / "a.bin").write_bytes(b"A!")
    problems = check_model_digests(st, d)
    assert len(problems) == 2 and any("sub/a.bin" in p for p in problems)
    link = d / "link"
    link.symlink_to(d / "b.bin")
    with pytest.raises(InputError, match="regular files"):
        model_digests(d)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils sha256sum not installed")
def test_directory_root_digest_matches_coreutils(tmp_path: Path) -> None:
    d = tmp_path / "m"
    (d / "sub").mkdir(parents=True)
    for rel, data in {"sub/a.bin": b"A", "b.bin": b"B", "Z.txt": b"C", "sub/z": b""}.items():
        (d / rel).write_bytes(data)
    script = "find . -type f | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum | sha256sum"
    out = subprocess.run(["sh", "-c", script], cwd=d, capture_output=True, text=True, check=True).stdout
    assert model_digests(d).subject.digest.sha256 == out.split()[0]


CASES = Path(__file__).resolve().parents[2] / "cases"
READABLE = sorted(
    p.name for p in CASES.glob("*.json") if p.name not in ("expected.json", "truncated.json", "nan.json")
)


@pytest.mark.parametrize("name", READABLE)
def test_every_shipped_case_re_encodes_to_its_signed_payload_bytes(name: str) -> None:
    """Parsed once into the typed model and written back, a document gives exactly the bytes that were
    signed (canonical form: sorted keys, compact, ASCII)."""
    env = json.loads((CASES / name).read_text())
    payload = base64.b64decode(env["payload"])
    statement = decode_statement(json.loads(payload))
    assert encode_statement(statement) == payload


def test_the_shipped_cases_cover_every_family() -> None:
    families = set()
    for name in READABLE:
        payload = base64.b64decode(json.loads((CASES / name).read_text())["payload"])
        pred = decode_statement(json.loads(payload)).predicate
        families.add((pred.smoothing.family, pred.guarantee.output))
    assert families == {("gaussian", "hard"), ("gaussian", "soft"), ("laplace", "hard"), ("ablation", "hard")}
