"""``certs keygen`` and ``certs sign``: key files, file modes, signing in place or to --out, exit codes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from documents import typed

from audit.format import (
    SignatureStatus,
    load_certificate,
    load_private_key,
    load_public_key,
    write_certificate,
)
from audit.format.keys import PRIVATE_KEY_NAME, PUBLIC_KEY_NAME, key_id
from certs.cli import main as certs_main

SUBJECTS = [{"name": "m.safetensors", "digest": {"sha256": "a" * 64}}]


def _statement():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "format"))
    try:
        from format_samples import family
    finally:
        sys.path.pop(0)
    return typed(family("gaussian"), SUBJECTS)


def test_keygen_writes_pkcs8_0600_and_spki(tmp_path: Path) -> None:
    out = tmp_path / "keys"
    assert certs_main(["keygen", "--out", str(out)]) == 0
    priv, pub = out / PRIVATE_KEY_NAME, out / PUBLIC_KEY_NAME
    assert stat.S_IMODE(os.stat(priv).st_mode) == 0o600
    assert priv.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pub.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert key_id(load_private_key(priv)) == key_id(load_public_key(pub))
    before = priv.read_bytes()
    assert certs_main(["keygen", "--out", str(out)]) == 2  # refuses to overwrite
    assert priv.read_bytes() == before
    assert certs_main(["keygen", "--out", str(out), "--force"]) == 0
    assert priv.read_bytes() != before


def test_sign_in_place_and_to_out(tmp_path: Path) -> None:
    assert certs_main(["keygen", "--out", str(tmp_path)]) == 0
    key, pub = tmp_path / PRIVATE_KEY_NAME, tmp_path / PUBLIC_KEY_NAME
    cert = tmp_path / "cert.json"
    write_certificate(cert, _statement(), None)
    out = tmp_path / "signed.json"
    assert certs_main(["sign", str(cert), "--key", str(key), "--out", str(out)]) == 0
    assert load_certificate(cert, [pub], allow_unsigned=True).signature is SignatureStatus.UNSIGNED
    assert load_certificate(out, [pub]).signature is SignatureStatus.VALID
    assert certs_main(["sign", str(cert), "--key", str(key)]) == 0
    assert load_certificate(cert, [pub]).signature is SignatureStatus.VALID
    assert certs_main(["sign", str(cert), "--key", str(key)]) == 2  # already signed


@pytest.mark.parametrize("problem", ["missing-cert", "public-key-as-key", "garbage-cert"])
def test_sign_errors_exit_2_with_one_line(problem: str, tmp_path: Path) -> None:
    assert certs_main(["keygen", "--out", str(tmp_path)]) == 0
    cert = tmp_path / "cert.json"
    key = tmp_path / PRIVATE_KEY_NAME
    if problem == "missing-cert":
        cert = tmp_path / "nope.json"
    else:
        write_certificate(cert, _statement(), None)
    if problem == "public-key-as-key":
        key = tmp_path / PUBLIC_KEY_NAME
    if problem == "garbage-cert":
        cert.write_bytes(b"{not json")
    proc = subprocess.run(
        [sys.executable, "-m", "certs.cli", "sign", str(cert), "--key", str(key)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
