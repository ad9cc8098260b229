"""Layer 1: the certificate document as typed objects, DSSE envelope, Ed25519 keys, numbers, safe I/O.

No radius or bound arithmetic and no torch here. The public API is re-exported below; see
``docs/format.md``.
"""

from __future__ import annotations

from audit.format.certificate import (
    LoadedCertificate,
    SignatureRejected,
    SignatureStatus,
    check_signatures,
    encode_certificate,
    load_certificate,
    load_certificate_bytes,
    parse_statement,
    sign_certificate_file,
    signature_accepted,
    write_certificate,
)
from audit.format.document import (
    ModelDigests,
    build_statement,
    check_model_digests,
    model_digests,
    model_files_problems,
)
from audit.format.dsse import PAYLOAD_TYPE, Envelope, Signature, decode_envelope, encode_envelope, pae
from audit.format.io import (
    DEFAULT_MAX_BYTES,
    atomic_write,
    dumps_json,
    parse_json_strict,
    read_bounded,
    sha256_bytes,
    sha256_file,
)
from audit.format.keys import (
    generate_private_key,
    key_id,
    load_private_key,
    load_public_key,
    private_key_pem,
    public_key_pem,
)
from audit.format.model import (
    FORMAT_VERSION,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    Claim,
    Entry,
    Predicate,
    Statement,
    decode_statement,
    encode_statement,
)
from audit.format.validate import Check, Problem, semantic_problems, validate_semantics

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMAT_VERSION",
    "PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "STATEMENT_TYPE",
    "Check",
    "Claim",
    "Entry",
    "Envelope",
    "LoadedCertificate",
    "ModelDigests",
    "Predicate",
    "Problem",
    "Signature",
    "SignatureRejected",
    "SignatureStatus",
    "Statement",
    "atomic_write",
    "build_statement",
    "check_model_digests",
    "check_signatures",
    "decode_envelope",
    "decode_statement",
    "dumps_json",
    "encode_certificate",
    "encode_envelope",
    "encode_statement",
    "generate_private_key",
    "key_id",
    "load_certificate",
    "load_certificate_bytes",
    "load_private_key",
    "load_public_key",
    "model_digests",
    "model_files_problems",
    "pae",
    "parse_json_strict",
    "parse_statement",
    "private_key_pem",
    "public_key_pem",
    "read_bounded",
    "semantic_problems",
    "sha256_bytes",
    "sha256_file",
    "sign_certificate_file",
    "signature_accepted",
    "validate_semantics",
    "write_certificate",
]
