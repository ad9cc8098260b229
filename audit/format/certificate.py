"""Certificate files end to end: build → sign → atomic write, and bounded read → verify → parse → validate.

Guarantees of :func:`load_certificate`:

* the file size is checked before reading (``max_bytes``, default 256 MiB);
* the envelope is decoded strictly and its payloadType must be ours;
* signatures are checked over the exact payload bytes, and the payload is parsed **only after** the
  signature decision, and only if that decision is accepted (see :func:`signature_accepted`);
* the statement is parsed strictly (no NaN/Infinity, no duplicate keys, bounded ints/strings/depth) and
  decoded into the typed model (:mod:`audit.format.model`), which validates it in the same pass; every
  refusal is an InputError/FormatError naming file, entry and field.

Signature statuses (:class:`SignatureStatus`): ``valid`` (a trusted key verified a signature), ``invalid``
(signatures present but none verifies, and one claims the keyid of a trusted key or carries no keyid),
``unsigned`` (no signatures), ``untrusted-key`` (signatures whose keyid matches no trusted key, none
verifying). Policy: only ``valid`` passes; with ``allow_unsigned`` also ``unsigned`` and ``untrusted-key``
pass (the signature then vouches for nothing). ``invalid`` never passes: it means tampering or corruption.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.errors import FormatError, InputError, SignatureError
from audit.format import dsse
from audit.format.io import DEFAULT_MAX_BYTES, STATEMENT_LIMITS, atomic_write, parse_json_strict, read_bounded
from audit.format.keys import key_id, load_public_key
from audit.format.limits import CERTIFICATE_BYTES, ENTRIES, Limit, value_of
from audit.format.model import Predicate, Statement, decode_statement, encode_statement


class SignatureStatus(enum.StrEnum):
    """Outcome of checking a certificate's signatures against the trusted keys."""

    VALID = "valid"
    INVALID = "invalid"
    UNSIGNED = "unsigned"
    UNTRUSTED_KEY = "untrusted-key"


class SignatureRejected(SignatureError):
    """The signature status is not accepted by the policy (exit 1); ``status`` says which it was."""

    def __init__(self, message: str, *, status: SignatureStatus, file: str | None = None) -> None:
        super().__init__(message, file=file)
        self.status = status


def signature_accepted(status: SignatureStatus, allow_unsigned: bool) -> bool:
    """The policy rule: ``valid`` passes; ``unsigned``/``untrusted-key`` only with ``allow_unsigned``."""
    if status is SignatureStatus.VALID:
        return True
    if status is SignatureStatus.INVALID:
        return False
    return allow_unsigned


TrustedKey = Ed25519PublicKey | str | os.PathLike[str]


@dataclass(frozen=True)
class LoadedCertificate:
    """A certificate read from disk.

    ``statement`` is the parsed, typed Statement, or ``None`` when the signature was not accepted
    (the payload is then never parsed). ``payload`` holds the exact signed bytes. ``key_id`` / ``key_index``
    identify the trusted key that verified (``None`` unless ``signature`` is ``valid``).
    """

    path: str
    statement: Statement | None
    payload: bytes
    payload_type: str
    signature: SignatureStatus
    accepted: bool
    key_id: str | None = None
    key_index: int | None = None
    signature_count: int = 0

    @property
    def predicate(self) -> Predicate:
        if self.statement is None:
            raise SignatureError(f"signature {self.signature}: payload was not parsed", file=self.path)
        return self.statement.predicate

    def describe_signature(self) -> str:
        """One human line, e.g. ``signature valid (key 1a2b3c4d…)``."""
        if self.signature is SignatureStatus.VALID:
            return f"signature valid (key {self.key_id[:16] if self.key_id else '?'})"
        if self.signature is SignatureStatus.UNSIGNED:
            return "unsigned (no signatures)"
        if self.signature is SignatureStatus.UNTRUSTED_KEY:
            return f"signed by an untrusted key ({self.signature_count} signature(s), none by a trusted key)"
        return "signature INVALID (does not verify under the trusted key(s))"


def _resolve_keys(trusted_keys: Sequence[TrustedKey]) -> list[Ed25519PublicKey]:
    return [k if isinstance(k, Ed25519PublicKey) else load_public_key(k) for k in trusted_keys]


def check_signatures(
    envelope: dsse.Envelope, trusted: Sequence[Ed25519PublicKey]
) -> tuple[SignatureStatus, int | None]:
    """Signature status of ``envelope`` against ``trusted`` keys and the index of the verifying key."""
    if not envelope.signatures:
        return SignatureStatus.UNSIGNED, None
    hit = dsse.find_verifying_key(envelope, trusted)
    if hit is not None:
        return SignatureStatus.VALID, hit[1]
    trusted_ids = {key_id(k) for k in trusted}
    for sig in envelope.signatures:
        if sig.keyid in trusted_ids or (not sig.keyid and trusted):
            return SignatureStatus.INVALID, None
    return SignatureStatus.UNTRUSTED_KEY, None


def parse_statement(payload: bytes, *, file: str | None = None) -> Statement:
    """Strictly parse payload bytes and decode them into a typed, structurally valid :class:`Statement`."""
    value = parse_json_strict(payload, file=file, limits=STATEMENT_LIMITS, what="certificate payload")
    pred = value.get("predicate") if isinstance(value, dict) else None
    entries = pred.get("entries") if isinstance(pred, dict) else None
    if isinstance(entries, list) and len(entries) > ENTRIES.value:
        msg = f"{len(entries)} entries, above the {ENTRIES}"
        raise FormatError(msg, file=file, field="predicate.entries")
    return decode_statement(value, file=file)


def load_certificate(
    path: str | os.PathLike[str],
    trusted_keys: Sequence[TrustedKey] = (),
    *,
    max_bytes: int | Limit = CERTIFICATE_BYTES,
    allow_unsigned: bool = False,
    raise_on_reject: bool = True,
) -> LoadedCertificate:
    """Read, verify and parse a certificate file.

    Raises InputError/FormatError (exit 2) for unreadable or malformed input. If the signature status is
    not accepted under ``allow_unsigned`` it raises SignatureRejected (a SignatureError, exit 1, with
    ``.status``), or, with ``raise_on_reject=False``, returns a result with ``statement=None`` and
    ``accepted=False``.
    """
    name = os.fspath(path)
    keys = _resolve_keys(trusted_keys)
    return load_certificate_bytes(
        read_bounded(name, max_bytes),
        keys,
        file=name,
        max_bytes=value_of(max_bytes),
        allow_unsigned=allow_unsigned,
        raise_on_reject=raise_on_reject,
    )


def load_certificate_bytes(
    data: bytes,
    trusted_keys: Sequence[TrustedKey] = (),
    *,
    file: str = "<certificate>",
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_unsigned: bool = False,
    raise_on_reject: bool = True,
) -> LoadedCertificate:
    """:func:`load_certificate` on bytes already in memory (e.g. stdin); ``file`` names them in errors."""
    name = file
    if len(data) > max_bytes:
        raise InputError(f"input is {len(data)} bytes, above the limit of {max_bytes} bytes", file=name)
    keys = _resolve_keys(trusted_keys)
    envelope = dsse.decode_envelope(data, file=name, max_bytes=max_bytes)
    status, index = check_signatures(envelope, keys)
    accepted = signature_accepted(status, allow_unsigned)
    result_kwargs: dict[str, Any] = {
        "path": name,
        "payload": envelope.payload,
        "payload_type": envelope.payload_type,
        "signature": status,
        "accepted": accepted,
        "key_id": key_id(keys[index]) if index is not None else None,
        "key_index": index,
        "signature_count": len(envelope.signatures),
    }
    if not accepted:
        loaded = LoadedCertificate(statement=None, **result_kwargs)
        if raise_on_reject:
            raise SignatureRejected(loaded.describe_signature(), status=status, file=name)
        return loaded
    statement = parse_statement(envelope.payload, file=name)
    return LoadedCertificate(statement=statement, **result_kwargs)


def encode_certificate(statement: Statement, private_key: Ed25519PrivateKey | None = None) -> bytes:
    """Envelope bytes for ``statement``: signed by ``private_key``, or unsigned when it is ``None``.

    The payload is the canonical encoding, decoded once more before signing, so that a statement the reader
    would refuse (a member out of range, built by hand) is never signed: FormatError instead.
    """
    payload = encode_statement(statement)
    parse_statement(payload)
    envelope = dsse.Envelope(dsse.PAYLOAD_TYPE, payload, ())
    if private_key is not None:
        envelope = dsse.sign(envelope, private_key, keyid=key_id(private_key))
    return dsse.encode_envelope(envelope)


def write_certificate(
    path: str | os.PathLike[str], statement: Statement, private_key: Ed25519PrivateKey | None = None
) -> None:
    """Encode ``statement``, sign it (if a key is given) and write it atomically (FormatError naming the
    file, entry and field if the reader would refuse it)."""
    name = os.fspath(path)
    try:
        data = encode_certificate(statement, private_key)
    except FormatError as exc:
        raise exc.with_location(file=name) from None
    atomic_write(name, data)


def sign_certificate_file(
    path: str | os.PathLike[str],
    private_key: Ed25519PrivateKey,
    out: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Sign an unsigned certificate over its exact payload bytes; write to ``out`` (default: in place).

    The payload is parsed and schema-checked first so that garbage is never signed; it is not re-serialised.
    Refuses (FormatError) a certificate that already carries signatures. Returns the path written.
    """
    name = os.fspath(path)
    envelope = dsse.decode_envelope(read_bounded(name, max_bytes), file=name, max_bytes=max_bytes)
    if envelope.signatures:
        raise FormatError("certificate is already signed", file=name, field="signatures")
    parse_statement(envelope.payload, file=name)
    signed = dsse.sign(envelope, private_key, keyid=key_id(private_key))
    target = os.fspath(out) if out is not None else name
    atomic_write(target, dsse.encode_envelope(signed))
    return target
