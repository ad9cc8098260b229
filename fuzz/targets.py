"""Fuzz targets: one function per parser that reads outside input, ``bytes -> None``.

A target returns normally when the tool *handled* the input: it was accepted, or refused with an
:class:`audit.errors.AuditError` (the CLI's one-line error and exit 2, or a verification failure). Any other
exception is a finding (the CLI would print a traceback), and so is a report that does not parse back:
every accepted certificate is verified and rendered as JSON, JUnit XML and SARIF, which must parse.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from audit.errors import AuditError
from audit.format import load_certificate_bytes
from audit.format.certificate import parse_statement
from audit.format.sidecar import SidecarError, _from_json, _from_npy
from audit.importers.cohen import import_cohen
from audit.importers.jia import import_jia_topk
from audit.reports.json_report import render_json
from audit.reports.junit import render_junit
from audit.reports.sarif import render_sarif
from audit.verify.pipeline import VerifyOptions, verify_statement
from audit.verify.policy import load_policy

ROOT = Path(__file__).resolve().parents[1]
TEST_KEY = ROOT / "cases" / "keys" / "test-release.pub"
OPTIONS = VerifyOptions(precision=20, workers=1, slack=False)


def _reports_parse(report: object) -> None:
    """The three machine reports of ``report`` parse back (JSON, XML 1.0, JSON for SARIF)."""
    reports = [report]
    json.loads(render_json(reports))  # type: ignore[arg-type]
    ET.fromstring(render_junit(reports).encode("utf-8"))  # type: ignore[arg-type]
    json.loads(render_sarif(reports))  # type: ignore[arg-type]


def certificate(data: bytes) -> None:
    """A certificate file: envelope, signature check (test key, unsigned allowed), statement, verification."""
    try:
        loaded = load_certificate_bytes(data, [TEST_KEY], file="fuzz.json", allow_unsigned=True)
        if loaded.statement is None:
            return
        report = verify_statement(loaded.statement, "fuzz.json", OPTIONS, signature=str(loaded.signature))
    except AuditError:
        return
    _reports_parse(report)


def statement(data: bytes) -> None:
    """A certificate payload (the signed JSON statement), verified as an unsigned certificate would be."""
    try:
        st = parse_statement(data, file="fuzz.json")
        report = verify_statement(st, "fuzz.json", OPTIONS, signature="unsigned")
    except AuditError:
        return
    _reports_parse(report)


def sidecar(data: bytes) -> None:
    """A per-sample score sidecar's bytes, as .npy and as JSON (3 classes, 7 samples)."""
    for parse in (_from_npy, _from_json):
        try:
            parse(data, 3, 7)
        except SidecarError:  # the verifier turns it into the finding SA108
            pass


def _as_file(data: bytes, suffix: str, use: Callable[[str], object]) -> None:
    fd, name = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        use(name)
    except AuditError:
        return
    finally:
        os.unlink(name)


def cohen_log(data: bytes) -> None:
    """A Cohen et al. certify.py log (small n, so each row's count search is quick)."""
    _as_file(data, ".tsv", lambda p: import_cohen(p, sigma="0.25", n=1000, alpha="0.001", dps=20))


def jia_counts(data: bytes) -> None:
    """Jia et al.'s count vectors (last column the label)."""
    _as_file(data, ".txt", lambda p: import_jia_topk(p, sigma="0.5", k=2, alpha="0.001"))


def policy(data: bytes) -> None:
    """A policy TOML file."""
    _as_file(data, ".toml", load_policy)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "certificate": certificate,
    "statement": statement,
    "sidecar": sidecar,
    "cohen_log": cohen_log,
    "jia_counts": jia_counts,
    "policy": policy,
}
