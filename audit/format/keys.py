"""Ed25519 keys: generation, PEM serialisation and loading.

Guarantees: private keys are PKCS8 PEM (unencrypted), public keys SPKI PEM, the formats ``openssl genpkey
-algorithm ed25519`` and ``openssl pkey -pubout`` produce. Loading refuses anything that is not an Ed25519
key of the expected kind with an InputError naming the file (never a traceback). :func:`key_id` is the
lowercase hex sha256 of the raw 32-byte public key; it is used only as a hint in envelopes.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.errors import InputError
from audit.format.io import read_bounded
from audit.format.limits import KEY_BYTES

PRIVATE_KEY_NAME = "signing_key.pem"
PUBLIC_KEY_NAME = "signing_key.pub.pem"


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key from the OS CSPRNG."""
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS8 PEM, unencrypted (protect the file with mode 0600)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """Hex sha256 of the raw public key bytes (a hint for envelopes, never a trust decision)."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return hashlib.sha256(raw_public_bytes(pub)).hexdigest()


def parse_private_key(pem: bytes, *, file: str | None = None) -> Ed25519PrivateKey:
    """Parse an unencrypted PKCS8 PEM Ed25519 private key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise InputError(
            "private key is encrypted; provide an unencrypted PKCS8 PEM key", file=file
        ) from None
    except (ValueError, Exception) as exc:  # cryptography raises ValueError / UnsupportedAlgorithm
        raise InputError(f"not a PEM private key ({type(exc).__name__})", file=file) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"private key is {type(key).__name__}, expected Ed25519", file=file)
    return key


def parse_public_key(pem: bytes, *, file: str | None = None) -> Ed25519PublicKey:
    """Parse an SPKI PEM Ed25519 public key (a private key here is refused: pass the .pub.pem file)."""
    if b"PRIVATE KEY" in pem:
        raise InputError("this is a private key; pass the public key (SPKI PEM)", file=file)
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, Exception) as exc:
        raise InputError(f"not a PEM public key ({type(exc).__name__})", file=file) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"public key is {type(key).__name__}, expected Ed25519", file=file)
    return key


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load a PKCS8 PEM Ed25519 private key file (InputError on any problem)."""
    name = os.fspath(path)
    return parse_private_key(read_bounded(name, KEY_BYTES), file=name)


def load_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    """Load an SPKI PEM Ed25519 public key file (InputError on any problem)."""
    name = os.fspath(path)
    return parse_public_key(read_bounded(name, KEY_BYTES), file=name)
