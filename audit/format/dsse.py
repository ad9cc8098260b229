"""DSSE v1 envelopes: PAE, strict base64, envelope encode/decode, Ed25519 sign/verify.

Guarantees:

* :func:`pae` is exactly ``"DSSEv1" SP len(type) SP type SP len(body) SP body`` (ASCII decimal lengths).
* Signatures are made and checked over ``PAE(payloadType, payload_bytes)`` where ``payload_bytes`` are the
  exact decoded bytes from the file; nothing is re-serialised before verification.
* :func:`decode_envelope` does not parse the payload. It accepts standard or URL-safe base64 (padded or not)
  but only in canonical form, so any change to the base64 text changes the decoded bytes or is refused.
* ``keyid`` is carried as a hint only; trust comes from which trusted key verifies the signature.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.errors import FormatError, InputError
from audit.format.io import DEFAULT_MAX_BYTES, JsonLimits, dumps_json, parse_json_strict
from audit.format.limits import SIGNATURES

PAYLOAD_TYPE = "application/vnd.in-toto+json"
"""The only payloadType a certificate envelope may carry."""

_STD = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def pae(payload_type: str | bytes, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding of ``payload_type`` and the raw ``payload`` bytes."""
    ptype = payload_type.encode("utf-8") if isinstance(payload_type, str) else bytes(payload_type)
    return b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)


def b64decode_strict(text: str, *, what: str = "base64", file: str | None = None) -> bytes:
    """Decode standard or URL-safe base64 (padding optional); refuse mixed alphabets and non-canonical text.

    Canonical means: re-encoding the result with the same alphabet gives ``text`` back (with or without its
    ``=`` padding). So two different accepted texts never decode to the same bytes with the same alphabet.
    """
    if not isinstance(text, str):
        raise FormatError(f"{what} must be a string", file=file)
    if _STD.fullmatch(text):
        alphabet = "std"
    elif _URL.fullmatch(text):
        alphabet = "url"
    else:
        raise InputError(f"{what} is not valid base64", file=file)
    if alphabet == "std" and len(text) % 4 == 0:
        return _b64decode_padded(text, what=what, file=file)
    body = text.rstrip("=")
    padded = body + "=" * (-len(body) % 4)
    if text != body and text != padded:
        raise InputError(f"{what} has wrong base64 padding", file=file)
    try:
        if alphabet == "std":
            raw = base64.b64decode(padded, validate=True)
            again = base64.b64encode(raw).decode("ascii")
        else:
            raw = base64.urlsafe_b64decode(padded)
            again = base64.urlsafe_b64encode(raw).decode("ascii")
    except (binascii.Error, ValueError):
        raise InputError(f"{what} is not valid base64", file=file) from None
    if again != padded:
        raise InputError(f"{what} is not canonical base64", file=file)
    return raw


def b64encode(data: bytes) -> str:
    """Standard padded base64 text."""
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Signature:
    """One envelope signature: raw signature bytes and the (untrusted) ``keyid`` hint."""

    sig: bytes
    keyid: str = ""


def _b64decode_padded(text: str, *, what: str, file: str | None) -> bytes:
    """Standard, padded base64 (the form every writer of ours produces) without copies of ``text``: the ASCII
    text is decoded in place in strict mode, and canonical form is checked on the last quantum only (the only
    place where a second text for the same bytes can hide: non-zero padding bits)."""
    try:
        raw = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{what} is not valid base64", file=file) from None
    tail = len(raw) % 3 or 3
    if raw and base64.b64encode(raw[-tail:]).decode("ascii") != text[-4:]:
        raise InputError(f"{what} is not canonical base64", file=file)
    return raw


@dataclass(frozen=True)
class Envelope:
    """A decoded DSSE envelope. ``payload`` holds the exact signed bytes (never re-serialised)."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...] = field(default_factory=tuple)

    def pae(self) -> bytes:
        return pae(self.payload_type, self.payload)


_ENVELOPE_KEYS = {"payloadType", "payload", "signatures"}
_SIGNATURE_KEYS = {"keyid", "sig"}


def decode_envelope(
    data: bytes,
    *,
    file: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    expected_type: str | None = PAYLOAD_TYPE,
) -> Envelope:
    """Parse envelope JSON bytes into an :class:`Envelope` without parsing the payload.

    Refuses (InputError/FormatError naming ``file``): malformed JSON, unknown or missing envelope fields,
    a payloadType other than ``expected_type``, bad base64, more than 16 signatures.
    """
    limits = JsonLimits(max_depth=4, max_string=max(max_bytes, 1 << 20))
    doc = parse_json_strict(data, file=file, limits=limits, what="certificate envelope")
    if not isinstance(doc, dict):
        raise FormatError("certificate envelope must be a JSON object", file=file)
    missing = sorted(_ENVELOPE_KEYS - doc.keys())
    if missing:
        raise FormatError("envelope field missing (is this a DSSE certificate?)", file=file, field=missing[0])
    extra = sorted(doc.keys() - _ENVELOPE_KEYS)
    if extra:
        raise FormatError("unknown envelope field", file=file, field=extra[0])
    ptype = doc["payloadType"]
    if not isinstance(ptype, str):
        raise FormatError("must be a string", file=file, field="payloadType")
    if expected_type is not None and ptype != expected_type:
        raise FormatError(
            f"unknown payloadType {ptype[:80]!r}, expected {expected_type!r}", file=file, field="payloadType"
        )
    payload = b64decode_strict(doc["payload"], what="payload", file=file)
    sigs_raw = doc["signatures"]
    if not isinstance(sigs_raw, list):
        raise FormatError("must be a list", file=file, field="signatures")
    if len(sigs_raw) > SIGNATURES.value:
        raise FormatError(
            f"more than {SIGNATURES.value} signatures ({SIGNATURES})", file=file, field="signatures"
        )
    sigs: list[Signature] = []
    for i, item in enumerate(sigs_raw):
        where = f"signatures[{i}]"
        if not isinstance(item, dict):
            raise FormatError("must be an object", file=file, field=where)
        if "sig" not in item:
            raise FormatError("missing", file=file, field=f"{where}.sig")
        extra = sorted(item.keys() - _SIGNATURE_KEYS)
        if extra:
            raise FormatError("unknown field", file=file, field=f"{where}.{extra[0]}")
        keyid = item.get("keyid", "")
        if not isinstance(keyid, str) or len(keyid) > 256:
            raise FormatError("must be a string of at most 256 characters", file=file, field=f"{where}.keyid")
        sig = b64decode_strict(item["sig"], what=f"{where}.sig", file=file)
        sigs.append(Signature(sig=sig, keyid=keyid))
    return Envelope(payload_type=ptype, payload=payload, signatures=tuple(sigs))


def encode_envelope(envelope: Envelope) -> bytes:
    """Serialise an envelope as indented JSON bytes (standard base64, ``allow_nan=False``)."""
    doc: dict[str, Any] = {
        "payloadType": envelope.payload_type,
        "payload": b64encode(envelope.payload),
        "signatures": [{"keyid": s.keyid, "sig": b64encode(s.sig)} for s in envelope.signatures],
    }
    return dumps_json(doc, indent=2, sort_keys=False)


def sign(envelope: Envelope, private_key: Ed25519PrivateKey, keyid: str = "") -> Envelope:
    """Return a copy of ``envelope`` with one more Ed25519 signature over its PAE."""
    sig = Signature(sig=private_key.sign(envelope.pae()), keyid=keyid)
    return Envelope(envelope.payload_type, envelope.payload, (*envelope.signatures, sig))


def verify_signature(
    envelope: Envelope, signature: Signature, public_key: Ed25519PublicKey, pae_bytes: bytes | None = None
) -> bool:
    """True iff ``signature`` is a valid Ed25519 signature by ``public_key`` over the envelope's PAE
    (``pae_bytes``, when the caller computed it once for several checks)."""
    if len(signature.sig) != 64:
        return False
    try:
        public_key.verify(signature.sig, envelope.pae() if pae_bytes is None else pae_bytes)
    except InvalidSignature:
        return False
    return True


def find_verifying_key(envelope: Envelope, public_keys: Sequence[Ed25519PublicKey]) -> tuple[int, int] | None:
    """Index ``(signature, key)`` of the first signature that verifies under one of ``public_keys``."""
    if not envelope.signatures or not public_keys:
        return None
    message = envelope.pae()  # once: it is as large as the payload
    for si, sig in enumerate(envelope.signatures):
        for ki, key in enumerate(public_keys):
            if verify_signature(envelope, sig, key, message):
                return si, ki
    return None
