"""DSSE v1: PAE spec vector, strict base64, envelope fields, signatures over exact bytes, keyid as hint."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import InputError
from audit.format import dsse
from audit.format.certificate import SignatureStatus, check_signatures


def test_pae_matches_the_dsse_spec_vector() -> None:
    # DSSE protocol.md test vector, written out by hand.
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_lengths_are_byte_lengths_not_character_counts() -> None:
    assert dsse.pae("t", "é".encode()) == b"DSSEv1 1 t 2 \xc3\xa9"
    assert dsse.pae("", b"") == b"DSSEv1 0  0 "


def _envelope_json(payload: bytes, sigs: list[dict[str, str]], ptype: str = dsse.PAYLOAD_TYPE) -> bytes:
    doc = {"payloadType": ptype, "payload": base64.b64encode(payload).decode(), "signatures": sigs}
    return json.dumps(doc).encode()


def test_signature_made_independently_over_pae_verifies() -> None:
    key = Ed25519PrivateKey.generate()
    payload = b'{"x":1}'
    # Build the PAE by hand (not with dsse.pae) and sign with the cryptography API directly.
    pae_bytes = b"DSSEv1 28 application/vnd.in-toto+json 7 " + payload
    sig = base64.b64encode(key.sign(pae_bytes)).decode()
    env = dsse.decode_envelope(_envelope_json(payload, [{"keyid": "", "sig": sig}]))
    assert env.payload == payload
    status, index = check_signatures(env, [key.public_key()])
    assert (status, index) == (SignatureStatus.VALID, 0)


def test_signature_over_the_payload_alone_is_not_accepted() -> None:
    key = Ed25519PrivateKey.generate()
    payload = b'{"x":1}'
    sig = base64.b64encode(key.sign(payload)).decode()
    env = dsse.decode_envelope(_envelope_json(payload, [{"keyid": "", "sig": sig}]))
    assert check_signatures(env, [key.public_key()])[0] is SignatureStatus.INVALID


@pytest.mark.parametrize("encoder", ["std", "url", "std-nopad", "url-nopad"])
def test_standard_and_url_safe_base64_are_accepted(encoder: str) -> None:
    raw = bytes(range(256)) + b"\xfb\xff\xfe"  # contains bytes that encode to + / - _
    text = (base64.b64encode if encoder.startswith("std") else base64.urlsafe_b64encode)(raw).decode()
    if encoder.endswith("nopad"):
        text = text.rstrip("=")
    assert dsse.b64decode_strict(text) == raw


def test_unpadded_is_fine() -> None:
    assert dsse.b64decode_strict("aGVsbG8gd29ybGQ") == b"hello world"


@pytest.mark.parametrize(
    "text",
    [
        "aGVsbG8gd29ybGR=",  # non-canonical: trailing bits set (decodes to 'hello world' leniently)
        "aGVsbG8gd29ybGQ==",  # too much padding
        "aGVsbG8gd29ybG",  # impossible length
        "aGVs bG8=",  # whitespace
        "aGV+bG8_",  # mixed alphabets
        "aGVsbG8\n",
        "=aGVs",
    ],
)
def test_bad_or_non_canonical_base64_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        dsse.b64decode_strict(text)


def test_unknown_payload_type_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        dsse.decode_envelope(_envelope_json(b"{}", [], ptype="application/json"), file="c.json")
    assert exc.value.field == "payloadType"
    assert "c.json" in str(exc.value)


@pytest.mark.parametrize(
    "doc",
    [
        {"payload": "e30=", "signatures": []},
        {"payloadType": dsse.PAYLOAD_TYPE, "signatures": []},
        {"payloadType": dsse.PAYLOAD_TYPE, "payload": "e30="},
        {"payloadType": dsse.PAYLOAD_TYPE, "payload": "e30=", "signatures": [], "extra": 1},
        {"payloadType": dsse.PAYLOAD_TYPE, "payload": "e30=", "signatures": {}},
        {"payloadType": dsse.PAYLOAD_TYPE, "payload": "e30=", "signatures": [{"keyid": ""}]},
        {"payloadType": dsse.PAYLOAD_TYPE, "payload": 5, "signatures": []},
        {"payloadType": 7, "payload": "e30=", "signatures": []},
        [1, 2],
    ],
)
def test_malformed_envelopes_are_refused(doc: object) -> None:
    with pytest.raises(InputError):
        dsse.decode_envelope(json.dumps(doc).encode())


def test_keyid_is_only_a_hint() -> None:
    trusted, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    env = dsse.Envelope(dsse.PAYLOAD_TYPE, b"{}", ())
    # A valid signature by the trusted key with a bogus keyid is still valid.
    good = dsse.sign(env, trusted, keyid="not-the-real-id")
    assert check_signatures(good, [trusted.public_key()])[0] is SignatureStatus.VALID
    # A signature by another key claiming the trusted key's id is invalid, not valid.
    from audit.format.keys import key_id

    forged = dsse.sign(env, other, keyid=key_id(trusted))
    assert check_signatures(forged, [trusted.public_key()])[0] is SignatureStatus.INVALID
    # The same signature with its own keyid is reported as an untrusted key.
    foreign = dsse.sign(env, other, keyid=key_id(other))
    assert check_signatures(foreign, [trusted.public_key()])[0] is SignatureStatus.UNTRUSTED_KEY
    assert check_signatures(env, [trusted.public_key()])[0] is SignatureStatus.UNSIGNED


def test_any_trusted_signature_among_several_is_enough() -> None:
    k1, k2 = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    env = dsse.sign(dsse.sign(dsse.Envelope(dsse.PAYLOAD_TYPE, b"{}", ()), k1), k2)
    status, index = check_signatures(env, [Ed25519PrivateKey.generate().public_key(), k2.public_key()])
    assert (status, index) == (SignatureStatus.VALID, 1)


def test_encode_decode_round_trip_keeps_exact_bytes() -> None:
    key = Ed25519PrivateKey.generate()
    payload = b'{ "b": 1,  "a": [1.0, 2] }\n'  # deliberately not canonical JSON
    env = dsse.sign(dsse.Envelope(dsse.PAYLOAD_TYPE, payload, ()), key, keyid="k")
    back = dsse.decode_envelope(dsse.encode_envelope(env))
    assert back == env
    assert check_signatures(back, [key.public_key()])[0] is SignatureStatus.VALID


B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=40), last=st.sampled_from(B64_ALPHABET))
def test_padded_base64_fast_path_accepts_exactly_the_canonical_text(raw: bytes, last: str) -> None:
    """The in-place decoder (standard, padded) accepts a text iff re-encoding its bytes gives it back."""
    b64decode_strict = dsse.b64decode_strict
    good = base64.b64encode(raw).decode()
    assert b64decode_strict(good) == raw
    if not good:
        return
    for text in (good[:-1] + last, good[:-2] + last + good[-1:]):
        try:
            decoded = base64.b64decode(text, validate=True)
            canonical = base64.b64encode(decoded).decode() == text
        except ValueError:
            canonical = False
        try:
            assert b64decode_strict(text) == decoded and canonical
        except InputError:
            assert not canonical
