"""Test helpers for hostile-input and fuzz tests: run the CLI with a deadline, sign crafted payloads.

``run_cli`` runs ``audit ARGV`` in-process in a worker thread: a command that blocks (a FIFO opened for
reading waits for a writer) fails the test instead of hanging the suite, and an exception escaping
``audit.cli.main`` (which the CLI would print as a traceback) fails it too.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from documents import statement_dict
from format_samples import SUBJECTS, family

from audit.cli import main as audit_main
from audit.format import dsse, load_private_key
from audit.format.keys import key_id

ROOT = Path(__file__).resolve().parents[1]
TEST_KEY = ROOT / "cases" / "keys" / "test-release.key"
DEADLINE_S = 60


def run_cli(argv: list[str], deadline: float = DEADLINE_S) -> int:
    """``audit ARGV``'s exit code; fails if it is still running after ``deadline`` s or raised."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["code"] = audit_main(argv)
        except BaseException as exc:  # a traceback escaping main is itself a finding
            box["exc"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(deadline)
    assert not t.is_alive(), f"audit {' '.join(argv)} still running after {deadline} s (blocked?)"
    if "exc" in box:
        raise AssertionError(f"exception escaped the CLI: {box['exc']!r}") from box["exc"]
    return box["code"]


def sign_payload(path: Path, payload: bytes) -> Path:
    """Write a certificate whose payload is ``payload`` (any bytes), signed with the test key."""
    key = load_private_key(TEST_KEY)
    envelope = dsse.sign(dsse.Envelope(dsse.PAYLOAD_TYPE, payload, ()), key, key_id(key.public_key()))
    path.write_bytes(dsse.encode_envelope(envelope))
    return path


def signed_sample(path: Path, mutate: Callable[[dict[str, Any]], None], base: str = "gaussian") -> Path:
    """The sample predicate of ``base``, mutated, signed with the test key and written raw (the issuer's
    writer would refuse some of these; an attacker's would not)."""
    pred = family(base)
    mutate(pred)
    return sign_payload(path, json.dumps(statement_dict(pred, SUBJECTS), sort_keys=True).encode())


def one_error_line(err: str) -> str:
    """The one ``audit: error: ...`` line of ``err`` (fails if there are more lines or none)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit: error: "), err
    return lines[0]
