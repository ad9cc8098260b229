"""The audit pipeline: per file (signature, subject, schema, protocol, policy), then per entry.

Guarantees:

* Unreadable or malformed input raises :class:`audit.errors.InputError` (exit 2); nothing is parsed before the
  signature decision (see :func:`audit.format.load_certificate`).
* A rejected signature yields a failing :class:`FileReport` with no entries and every gate failed.
* ``predicate.model_files`` must agree with the subject digest derived from it (``SA006``), and with
  ``--model`` paths when given (``SA004``, with the subject); either is a failure (exit 1).
* Each entry gets exactly one verdict, the worst that applies (evidence > protocol > re-derivation), and the
  findings that explain it. Entries are re-derived in a process pool in chunks when the file is large.
* :attr:`FileReport.passed` is true only if every check, entry and gate passed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.format import (
    DEFAULT_MAX_BYTES,
    SignatureStatus,
    check_model_digests,
    load_certificate,
    model_files_problems,
    read_bounded,
)
from audit.verify.evidence import evidence_findings
from audit.verify.pointers import entry_pointer, payload_line
from audit.verify.policy import Policy
from audit.verify.protocol import entry_protocol_findings, file_protocol_findings, policy_findings
from audit.verify.rederive import rederive_entry
from audit.verify.seeds import file_seed_findings, population_void_reason
from audit.verify.sidecar import SidecarError, load_samples
from audit.verify.summary import DEFAULT_RHO, build_summary, evaluate_gates
from audit.verify.verdicts import EntryResult, FileReport, Finding, Severity, Verdict, worst

DEFAULT_DPS = 50
POOL_THRESHOLD = 64  # entries; below this, verify in-process
CHUNK = 100


@dataclass(frozen=True)
class VerifyOptions:
    """What to verify against. ``workers=None`` uses every CPU; ``workers=1`` never starts a pool."""

    trusted_keys: Sequence[Any] = ()
    allow_unsigned: bool = False
    policy: Policy | None = None
    model_paths: Sequence[str] = ()
    precision: int = DEFAULT_DPS
    workers: int | None = None
    slack: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    default_rho: str = DEFAULT_RHO  # rho of the summary's population bound where a row states none
    extra: dict[str, Any] = field(default_factory=dict)


_SIG_RULE = {
    SignatureStatus.INVALID: ("SA001", "signature does not verify over the payload: the file was altered"),
    SignatureStatus.UNSIGNED: ("SA002", "the certificate is unsigned"),
    SignatureStatus.UNTRUSTED_KEY: ("SA003", "signed, but by no trusted key"),
}


def _signature_findings(status: SignatureStatus, accepted: bool, n_keys: int) -> list[Finding]:
    if status is SignatureStatus.VALID:
        return []
    rule, msg = _SIG_RULE[status]
    if accepted:
        return [Finding(rule, Severity.WARNING, msg + " (accepted: --allow-unsigned)", "")]
    out = [Finding(rule, Severity.ERROR, msg, "")]
    if n_keys == 0 and status is not SignatureStatus.INVALID:
        out.append(Finding("SA005", Severity.ERROR, "no trusted key given (--key or policy [keys])", ""))
    return out


def verify_entries(
    pred: Mapping[str, Any],
    start: int,
    entries: Sequence[Mapping[str, Any]],
    pre: Mapping[int, list[Finding]],
    file_protocol: Sequence[Finding],
    dps: int,
    with_slack: bool,
    cert_path: str = "",
) -> list[EntryResult]:
    """Verdicts for ``entries`` (indices from ``start``); ``pre`` holds evidence findings by index.

    Score sidecars are resolved relative to ``cert_path``'s directory.
    """
    out: list[EntryResult] = []
    for off, entry in enumerate(entries):
        i = start + off
        claim = entry["claim"]
        base: dict[str, Any] = {
            "index": i,
            "id": entry["id"],
            "claimed": claim["radius"],
            "label": claim["label"],
            "true_label": entry.get("true_label"),
        }
        ev = list(pre.get(i, []))
        if ev:
            out.append(EntryResult(verdict=Verdict.INCONSISTENT_EVIDENCE, findings=ev, **base))
            continue
        samples, side = _entry_samples(pred, i, entry, cert_path)
        if side is not None:
            out.append(EntryResult(verdict=Verdict.INCONSISTENT_EVIDENCE, findings=[side], **base))
            continue
        prot = entry_protocol_findings(pred, i, entry)
        if file_protocol or prot:
            findings = [
                Finding(f.rule, f.severity, f.message, f.pointer, i, f.data) for f in file_protocol
            ] + prot
            out.append(EntryResult(verdict=Verdict.PROTOCOL_VIOLATION, findings=findings, **base))
            continue
        if claim["abstain"]:
            out.append(EntryResult(verdict=Verdict.ABSTAINED, **base))
            continue
        out.append(rederive_entry(pred, i, entry, dps, with_slack=with_slack, samples=samples))
    return out


def _entry_samples(
    pred: Mapping[str, Any], i: int, entry: Mapping[str, Any], cert_path: str
) -> tuple[Any, Finding | None]:
    """(per-sample scores or None, evidence finding or None) for the entry's score sidecar."""
    st = pred["statistics"]
    scores = entry.get("scores")
    ref = scores.get("sidecar") if isinstance(scores, Mapping) else None
    if ref is None:
        if st["interval"] == "betting" and pred["guarantee"]["output"] == "soft":
            msg = "interval 'betting' needs the per-sample scores: scores.sidecar is null"
            return None, Finding("SA107", Severity.ERROR, msg, entry_pointer(i, "scores", "sidecar"), i)
        return None, None
    try:
        return load_samples(cert_path, ref, st["num_classes"], st["n"]), None
    except SidecarError as exc:
        return None, Finding("SA108", Severity.ERROR, str(exc), entry_pointer(i, "scores", "sidecar"), i)


def _chunk_worker(args: tuple[Any, ...]) -> list[EntryResult]:
    return verify_entries(*args)


def _run_entries(
    pred: Mapping[str, Any],
    pre: Mapping[int, list[Finding]],
    file_protocol: Sequence[Finding],
    opts: VerifyOptions,
    path: str,
) -> list[EntryResult]:
    entries = pred["entries"]
    workers = opts.workers if opts.workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(entries) < POOL_THRESHOLD:
        return verify_entries(pred, 0, entries, pre, file_protocol, opts.precision, opts.slack, path)
    head = {k: v for k, v in pred.items() if k != "entries"}
    chunk = max(1, min(CHUNK, -(-len(entries) // (workers * 4))))
    jobs = []
    for s in range(0, len(entries), chunk):
        part = entries[s : s + chunk]
        sub_pre = {i: f for i, f in pre.items() if s <= i < s + len(part)}
        jobs.append((head, s, part, sub_pre, list(file_protocol), opts.precision, opts.slack, path))
    results: list[EntryResult] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part_results in pool.map(_chunk_worker, jobs):
            results.extend(part_results)
    return results


def verify_statement(
    statement: Mapping[str, Any], path: str, opts: VerifyOptions, *, signature: str = "not-checked"
) -> FileReport:
    """Everything after the signature decision, for an already parsed, schema-valid statement."""
    pred = statement["predicate"]
    rep = FileReport(path=path, signature=signature, precision=opts.precision)
    for msg in model_files_problems(statement):  # the model binding is void: a failure, not malformed input
        rep.findings.append(Finding("SA006", Severity.ERROR, msg, "/predicate/model_files"))
    ev_file, ev_entries = evidence_findings(statement)
    rep.findings.extend(ev_file)
    file_prot = file_protocol_findings(pred)
    rep.findings.extend(file_prot)
    rep.findings.extend(file_seed_findings(pred))
    if opts.policy is not None:
        rep.findings.extend(policy_findings(pred, opts.policy))
    if ev_file:  # the file-level parameters are unusable: nothing can be re-derived
        file_prot = [*file_prot, *ev_file]
    rep.entries = _run_entries(pred, ev_entries, file_prot, opts, path)
    void = population_void_reason(pred)
    rep.summary, summary_findings = build_summary(
        pred, rep.entries, opts.precision, opts.default_rho, population_void=void
    )
    rep.findings.extend(summary_findings)
    rep.gates = evaluate_gates(opts.policy, pred, rep.entries, opts.precision, population_void=void)
    return rep


def verify_file(path: str | os.PathLike[str], opts: VerifyOptions) -> FileReport:
    """Verify one certificate file (InputError for unreadable/malformed input)."""
    name = os.fspath(path)
    keys = list(opts.trusted_keys)
    if opts.policy is not None:
        keys += list(opts.policy.trusted_keys)
    allow = opts.allow_unsigned or (opts.policy.allow_unsigned if opts.policy is not None else False)
    loaded = load_certificate(
        name, keys, max_bytes=opts.max_bytes, allow_unsigned=allow, raise_on_reject=False
    )
    line = payload_line(read_bounded(name, opts.max_bytes))
    sig_findings = _signature_findings(loaded.signature, loaded.accepted, len(keys))
    if not loaded.accepted or loaded.statement is None:
        rep = FileReport(name, str(loaded.signature), precision=opts.precision, payload_line=line)
        rep.findings = sig_findings
        rep.gates = evaluate_gates(opts.policy, None, [], opts.precision)
        return rep
    rep = verify_statement(loaded.statement, name, opts, signature=str(loaded.signature))
    rep.payload_line = line
    rep.findings[:0] = sig_findings
    if opts.model_paths:
        mismatches: list[str] = []
        for mp in opts.model_paths:
            mismatches += check_model_digests(loaded.statement, Path(mp))
        rep.subject = "mismatch" if mismatches else "match"
        for msg in mismatches:
            rep.findings.append(Finding("SA004", Severity.ERROR, msg, "/subject"))
    return rep


def entry_verdict(findings: Sequence[Finding], default: Verdict) -> Verdict:
    """Helper for callers assembling their own entries: the worst verdict implied by ``findings``."""
    vs = [default]
    for f in findings:
        if f.severity != Severity.ERROR:
            continue
        if f.rule.startswith("SA1"):
            vs.append(Verdict.INCONSISTENT_EVIDENCE)
        elif f.rule.startswith("SA2"):
            vs.append(Verdict.PROTOCOL_VIOLATION)
    return worst(vs)
