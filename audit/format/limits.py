"""Every resource limit on outside input, in one place: the documented contract (docs/format.md "Limits").

Each limit has a stable name that appears in the error it raises (``... (limit json_depth = 64)``), so a user
who hits one knows which, and every refusal is bad input (exit 2) naming the file. The readers take their
numbers from here; ``tests/format/test_limits.py`` checks that docs/format.md lists exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """A named bound on some measure of an input."""

    name: str
    value: int
    unit: str
    scope: str

    def __str__(self) -> str:
        return f"limit {self.name} = {self.value}"


CERTIFICATE_BYTES = Limit("certificate_bytes", 256 * MiB, "bytes", "a certificate file (the DSSE envelope)")
SIDECAR_BYTES = Limit("sidecar_bytes", 64 * MiB, "bytes", "a per-sample score sidecar (.json / .npy)")
LOG_BYTES = Limit("log_bytes", 64 * MiB, "bytes", "a published log or count file given to `audit import`")
POLICY_BYTES = Limit("policy_bytes", 1_000_000, "bytes", "a policy TOML file")
KEY_BYTES = Limit("key_bytes", 64 * 1024, "bytes", "a PEM key file")
JSON_DEPTH = Limit("json_depth", 64, "levels", "nesting of objects and arrays in any JSON document")
JSON_STRING = Limit("json_string", 1 << 20, "characters", "one JSON string or object key")
JSON_VALUES = Limit(
    "json_values", 50_000_000, "values", "objects, arrays, strings and numbers in one document"
)
ENTRIES = Limit("entries", 2_000_000, "entries", "entries of one certificate")
SIGNATURES = Limit("signatures", 16, "signatures", "signatures on one envelope")
CLASSES = Limit("classes", 100_000, "classes", "num_classes; labels and predictions in imported logs")
INTEGER_DIGITS = Limit("integer_digits", 19, "digits", "a JSON integer (it must lie in [-2^63, 2^63 - 1])")
DECIMAL_DIGITS = Limit("decimal_digits", 100, "digits", "the integer part, and the fraction, of a decimal")
EXPONENT_DIGITS = Limit("exponent_digits", 4, "digits", "the exponent of a decimal (magnitude at most 9999)")


def value_of(limit: int | Limit) -> int:
    """The number of a limit given as a :class:`Limit` or a plain int."""
    return limit.value if isinstance(limit, Limit) else limit


LIMITS: tuple[Limit, ...] = (
    CERTIFICATE_BYTES, SIDECAR_BYTES, LOG_BYTES, POLICY_BYTES, KEY_BYTES, JSON_DEPTH, JSON_STRING,
    JSON_VALUES, ENTRIES, SIGNATURES, CLASSES, INTEGER_DIGITS, DECIMAL_DIGITS, EXPONENT_DIGITS,
)  # fmt: skip
