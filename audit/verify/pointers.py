"""JSON pointers (RFC 6901) into the certificate statement, and the line of the payload in the envelope."""

from __future__ import annotations

import re

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def predicate_pointer(dotted: str, entry: int | None = None) -> str:
    """``/predicate[/entries/i]/a/b/0`` from a dotted field path like ``a.b[0]`` (relative to the entry)."""
    parts = ["predicate"]
    if entry is not None:
        parts += ["entries", str(entry)]
    for m in _PART.finditer(dotted or ""):
        parts.append(m.group(1) if m.group(1) is not None else m.group(2))
    return "/" + "/".join(escape(p) for p in parts)


def entry_pointer(entry: int, *fields: str | int) -> str:
    return "/" + "/".join(escape(str(p)) for p in ("predicate", "entries", entry, *fields))


def payload_line(envelope_bytes: bytes) -> int:
    """1-based line of the ``"payload"`` member in the envelope text (1 if not found)."""
    idx = envelope_bytes.find(b'"payload"')
    if idx < 0:
        return 1
    return envelope_bytes.count(b"\n", 0, idx) + 1
