"""Tamper test: every single-bit flip of payload, payloadType or signature is rejected.

"Flip" is defined twice: (a) on the decoded bytes (payload bytes, payloadType string, signature bytes),
re-encoded into a well-formed envelope; (b) on the file text itself, at every character of the three JSON
string values. Each of the 8 bit flips at every position must give signature status ``invalid`` or a clean
InputError, never ``valid`` (and never ``untrusted-key``), even with ``allow_unsigned=True``.
"""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from documents import typed
from format_samples import SUBJECTS, family

from audit.errors import InputError
from audit.format.certificate import (
    SignatureRejected,
    SignatureStatus,
    encode_certificate,
    load_certificate_bytes,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
TRUSTED = [KEY.public_key()]


def _small_signed() -> bytes:
    pred = family("gaussian")
    pred["entries"] = pred["entries"][:1]
    return encode_certificate(typed(pred, SUBJECTS), KEY)


SIGNED = _small_signed()


def _rejected(data: bytes) -> bool:
    """True iff loading is refused as invalid or unreadable, under the most lenient policy."""
    try:
        loaded = load_certificate_bytes(data, TRUSTED, allow_unsigned=True, raise_on_reject=False)
    except SignatureRejected:  # pragma: no cover - raise_on_reject=False
        return True
    except InputError:
        return True
    return loaded.signature is SignatureStatus.INVALID and loaded.statement is None


def test_the_untampered_certificate_loads_as_valid() -> None:
    loaded = load_certificate_bytes(SIGNED, TRUSTED)
    assert loaded.signature is SignatureStatus.VALID and loaded.statement is not None
    assert not _rejected(SIGNED)


def _flips(raw: bytes):
    for i in range(len(raw)):
        for bit in range(8):
            yield i, bit, raw[:i] + bytes([raw[i] ^ (1 << bit)]) + raw[i + 1 :]


@pytest.mark.parametrize("field", ["payload", "signature", "payloadType"])
def test_every_bit_flip_of_the_decoded_bytes_is_rejected(field: str) -> None:
    doc = json.loads(SIGNED)
    payload = base64.b64decode(doc["payload"])
    sig = base64.b64decode(doc["signatures"][0]["sig"])
    ptype = doc["payloadType"].encode()
    raw = {"payload": payload, "signature": sig, "payloadType": ptype}[field]
    accepted = []
    checked = 0
    for i, bit, flipped in _flips(raw):
        d = json.loads(SIGNED)
        if field == "payload":
            d["payload"] = base64.b64encode(flipped).decode()
        elif field == "signature":
            d["signatures"][0]["sig"] = base64.b64encode(flipped).decode()
        else:
            try:
                d["payloadType"] = flipped.decode("utf-8")
            except UnicodeDecodeError:
                d["payloadType"] = flipped.decode("latin-1")
        if not _rejected(json.dumps(d).encode()):
            accepted.append((i, bit))
        checked += 1
    assert checked == 8 * len(raw) > 0
    assert accepted == []


def test_every_bit_flip_of_the_file_text_is_rejected() -> None:
    doc = json.loads(SIGNED)
    spans = []
    for value in (doc["payloadType"], doc["payload"], doc["signatures"][0]["sig"]):
        start = SIGNED.index(json.dumps(value).encode()) + 1  # inside the quotes
        spans.append(range(start, start + len(value)))
    accepted = []
    checked = 0
    for span in spans:
        for i in span:
            for bit in range(8):
                data = SIGNED[:i] + bytes([SIGNED[i] ^ (1 << bit)]) + SIGNED[i + 1 :]
                if not _rejected(data):
                    accepted.append((i, bit, chr(SIGNED[i])))
                checked += 1
    assert checked == 8 * sum(len(s) for s in spans)
    assert accepted == []


def test_a_different_key_or_no_key_is_not_valid() -> None:
    other = Ed25519PrivateKey.generate().public_key()
    loaded = load_certificate_bytes(SIGNED, [other], raise_on_reject=False)
    assert loaded.signature is SignatureStatus.UNTRUSTED_KEY and loaded.statement is None
    with pytest.raises(SignatureRejected) as exc:
        load_certificate_bytes(SIGNED, [])
    assert exc.value.status is SignatureStatus.UNTRUSTED_KEY and exc.value.exit_code == 1
