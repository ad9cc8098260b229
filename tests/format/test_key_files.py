"""Ed25519 key loading: our PEMs, RFC 8410 example keys, openssl-made keys; everything else refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from audit.errors import InputError
from audit.format import keys

# RFC 8410 §10.3 private key and §10.1 public key (the same key pair).
RFC8410_PRIVATE = b"""-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
-----END PRIVATE KEY-----
"""
RFC8410_PUBLIC = b"""-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PUBLIC KEY-----
"""
RFC8410_RAW_PUBLIC = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1"


def test_rfc8410_example_keys_load_and_match(tmp_path: Path) -> None:
    (tmp_path / "k.pem").write_bytes(RFC8410_PRIVATE)
    (tmp_path / "k.pub").write_bytes(RFC8410_PUBLIC)
    priv = keys.load_private_key(tmp_path / "k.pem")
    pub = keys.load_public_key(tmp_path / "k.pub")
    assert keys.raw_public_bytes(pub).hex() == RFC8410_RAW_PUBLIC
    assert keys.raw_public_bytes(priv.public_key()).hex() == RFC8410_RAW_PUBLIC
    pub.verify(priv.sign(b"m"), b"m")


def test_generated_keys_serialise_as_pkcs8_and_spki() -> None:
    key = keys.generate_private_key()
    assert keys.private_key_pem(key).startswith(b"-----BEGIN PRIVATE KEY-----")
    assert keys.public_key_pem(key.public_key()).startswith(b"-----BEGIN PUBLIC KEY-----")
    again = keys.parse_private_key(keys.private_key_pem(key))
    assert keys.key_id(again) == keys.key_id(key.public_key())
    import hashlib

    assert keys.key_id(key) == hashlib.sha256(keys.raw_public_bytes(key.public_key())).hexdigest()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_openssl_generated_keys_load(tmp_path: Path) -> None:
    priv, pub = tmp_path / "o.pem", tmp_path / "o.pub.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(priv)], check=True)
    subprocess.run(["openssl", "pkey", "-in", str(priv), "-pubout", "-out", str(pub)], check=True)
    k = keys.load_private_key(priv)
    p = keys.load_public_key(pub)
    assert keys.key_id(k) == keys.key_id(p)


def test_wrong_key_material_is_refused(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    cases = {
        "ec.pem": ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        "ec.pub": ec_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "garbage": b"not a key",
        "empty": b"",
        "enc.pem": keys.generate_private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pw"),
        ),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    for name in ("ec.pem", "garbage", "empty", "enc.pem", "ec.pub"):
        with pytest.raises(InputError) as exc:
            keys.load_private_key(tmp_path / name)
        assert name in str(exc.value)
    for name in ("ec.pub", "garbage", "empty", "ec.pem"):
        with pytest.raises(InputError):
            keys.load_public_key(tmp_path / name)
    (tmp_path / "priv-as-pub").write_bytes(RFC8410_PRIVATE)
    with pytest.raises(InputError, match="private key"):
        keys.load_public_key(tmp_path / "priv-as-pub")
    with pytest.raises(InputError, match="not found"):
        keys.load_public_key(tmp_path / "missing")
