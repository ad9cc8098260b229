"""The audit pipeline: :func:`verify_file` is the list of steps below, in this order.

1. **Signature** – read the file (bounded), check the DSSE signatures over the exact payload bytes against
   the trusted keys; nothing is parsed before that decision (:func:`audit.format.load_certificate`).
2. **Statement** – decode the payload into the typed model, which checks the schema in the same pass
   (malformed input: :class:`audit.errors.InputError`, exit 2); ``predicate.model_files`` must agree with
   the subject digest (``SA006``) and with ``--model`` paths when given (``SA004``).
3. **Evidence** – counts, labels, n0/n, score statistics, duplicates (:mod:`audit.verify.evidence`).
4. **Protocol** – label selection, α budget, interval validity, seeds (:mod:`audit.verify.protocol`,
   :mod:`audit.verify.seeds`), and the policy's statistical limits.
5. **Re-derivation** – each remaining entry's radius at high precision, compared exactly with its claim
   (:mod:`audit.verify.rederive`), in a process pool in chunks when the file is large.
6. **Slack** – larger radii other valid methods give from the same evidence (informational).
7. **Summary and policy** – certified accuracy claimed vs re-derived, population bounds, policy gates.

Guarantees: a rejected signature yields a failing :class:`FileReport` with no entries and every gate failed.
Each entry gets exactly one verdict, the worst that applies (evidence > protocol > re-derivation), and the
findings that explain it. :attr:`FileReport.passed` is true only if every check, entry and gate passed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.errors import FormatError
from audit.format import (
    Entry,
    Predicate,
    SignatureStatus,
    Statement,
    check_model_digests,
    load_certificate_bytes,
    model_files_problems,
    read_bounded,
)
from audit.format.limits import CERTIFICATE_BYTES, Limit, value_of
from audit.format.model import replace
from audit.format.sidecar import SidecarError, load_samples
from audit.theory import methods_of
from audit.verify.evidence import evidence_findings
from audit.verify.pointers import entry_pointer, payload_line
from audit.verify.policy import AllOf, Context, Policy, evaluate_gates
from audit.verify.protocol import entry_protocol_findings, file_protocol_findings
from audit.verify.rederive import rederive_entry
from audit.verify.seeds import file_seed_findings, population_void_reason
from audit.verify.summary import DEFAULT_RHO, build_summary
from audit.verify.verdicts import EntryResult, FileReport, Finding, Rule, Severity, Verdict

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
    max_bytes: int | Limit = CERTIFICATE_BYTES
    default_rho: str = DEFAULT_RHO  # rho of the summary's population bound where a row states none


def verify_file(path: str | os.PathLike[str], opts: VerifyOptions) -> FileReport:
    """Steps 1–7 for one certificate file (InputError for unreadable or malformed input)."""
    name = os.fspath(path)
    keys = [*opts.trusted_keys, *(opts.policy.trusted_keys if opts.policy else ())]
    allow = opts.allow_unsigned or (opts.policy.allow_unsigned if opts.policy else False)
    data = read_bounded(name, opts.max_bytes)  # read once: the signature and the line numbers see one file
    line = payload_line(data)
    loaded = load_certificate_bytes(
        data, keys, file=name, max_bytes=value_of(opts.max_bytes), allow_unsigned=allow, raise_on_reject=False
    )
    del data
    sig_findings = signature_findings(loaded.signature, loaded.accepted, len(keys))  # 1
    if not loaded.accepted or loaded.statement is None:
        rep = FileReport(name, str(loaded.signature), precision=opts.precision, payload_line=line)
        rep.findings = sig_findings
        rep.gates = evaluate_gates(opts.policy, Context(None, [], opts.precision))
        return rep
    rep = verify_statement(loaded.statement, name, opts, signature=str(loaded.signature))  # 2–7
    rep.payload_line = line
    rep.findings[:0] = sig_findings
    if opts.model_paths:
        _check_models(rep, loaded.statement, opts.model_paths)
    return rep


def verify_statement(
    statement: Statement, path: str, opts: VerifyOptions, *, signature: str = "not-checked"
) -> FileReport:
    """Steps 2–7 for a decoded statement whose signature decision is already made (FormatError when it names
    a method the registry does not know)."""
    pred = statement.predicate
    try:
        methods_of(pred)  # 2: the methods it names exist and have their parameters
    except FormatError as exc:
        raise exc.with_location(file=path) from None
    rep = FileReport(path=path, signature=signature, precision=opts.precision)
    for msg in model_files_problems(statement):  # 2: the model binding is void: a failure, not bad input
        rep.findings.append(Finding(Rule.MODEL_FILES_MISMATCH, Severity.ERROR, msg, "/predicate/model_files"))
    ev_file, ev_entries = evidence_findings(statement)  # 3
    rep.findings.extend(ev_file)
    file_prot = file_protocol_findings(pred)  # 4
    rep.findings.extend(file_prot)
    rep.findings.extend(file_seed_findings(pred))
    rules = opts.policy.rules if opts.policy is not None else AllOf()
    rep.findings.extend(rules.findings(pred))  # the policy's limits (at least one entry, by default)
    if ev_file:  # the file-level parameters are unusable: nothing can be re-derived
        file_prot = [*file_prot, *ev_file]
    rep.entries = _run_entries(pred, ev_entries, file_prot, opts, path)  # 5, 6
    void = population_void_reason(pred)  # 7
    rep.summary, summary_findings = build_summary(
        pred, rep.entries, opts.precision, opts.default_rho, population_void=void
    )
    rep.findings.extend(summary_findings)
    rep.gates = evaluate_gates(opts.policy, Context(pred, rep.entries, opts.precision, void))
    return rep


_SIG_RULE = {
    SignatureStatus.INVALID: (
        Rule.SIGNATURE_INVALID,
        "signature does not verify over the payload: the file was altered",
    ),
    SignatureStatus.UNSIGNED: (Rule.UNSIGNED, "the certificate is unsigned"),
    SignatureStatus.UNTRUSTED_KEY: (Rule.UNTRUSTED_KEY, "signed, but by no trusted key"),
}


def signature_findings(status: SignatureStatus, accepted: bool, n_keys: int) -> list[Finding]:
    """Step 1's findings: none for a valid signature, a warning when accepted by ``--allow-unsigned``."""
    if status is SignatureStatus.VALID:
        return []
    rule, msg = _SIG_RULE[status]
    if accepted:
        return [Finding(rule, Severity.WARNING, msg + " (accepted: --allow-unsigned)", "")]
    out = [Finding(rule, Severity.ERROR, msg, "")]
    if n_keys == 0 and status is not SignatureStatus.INVALID:
        out.append(
            Finding(Rule.NO_TRUSTED_KEYS, Severity.ERROR, "no trusted key given (--key or policy [keys])", "")
        )
    return out


def _check_models(rep: FileReport, statement: Statement, paths: Sequence[str]) -> None:
    mismatches = [msg for mp in paths for msg in check_model_digests(statement, Path(mp))]
    rep.subject = "mismatch" if mismatches else "match"
    rep.findings.extend(Finding(Rule.SUBJECT_MISMATCH, Severity.ERROR, msg, "/subject") for msg in mismatches)


def verify_entries(
    pred: Predicate,
    start: int,
    pre: Mapping[int, list[Finding]],
    file_protocol: Sequence[Finding],
    dps: int,
    with_slack: bool,
    cert_path: str = "",
) -> list[EntryResult]:
    """Verdicts for ``pred.entries`` (numbered from ``start``); ``pre`` holds evidence findings by index.

    Score sidecars are resolved relative to ``cert_path``'s directory.
    """
    return [
        _verify_entry(pred, start + off, entry, pre, file_protocol, dps, with_slack, cert_path)
        for off, entry in enumerate(pred.entries)
    ]


def _verify_entry(
    pred: Predicate,
    i: int,
    entry: Entry,
    pre: Mapping[int, list[Finding]],
    file_protocol: Sequence[Finding],
    dps: int,
    with_slack: bool,
    cert_path: str,
) -> EntryResult:
    """One entry through steps 3–6; the first step that fails decides its verdict."""
    claim = entry.claim
    radius = claim.radius.text if claim.radius is not None else None
    base = {
        "index": i,
        "id": entry.id,
        "claimed": radius,
        "label": claim.label,
        "true_label": entry.true_label,
    }
    if pre.get(i):
        return EntryResult(verdict=Verdict.INCONSISTENT_EVIDENCE, findings=list(pre[i]), **base)
    samples, side = _entry_samples(pred, i, entry, cert_path)
    if side is not None:
        return EntryResult(verdict=Verdict.INCONSISTENT_EVIDENCE, findings=[side], **base)
    prot = entry_protocol_findings(pred, i, entry)
    if file_protocol or prot:
        findings = [Finding(f.rule, f.severity, f.message, f.pointer, i, f.data) for f in file_protocol]
        return EntryResult(verdict=Verdict.PROTOCOL_VIOLATION, findings=findings + prot, **base)
    if claim.abstain:
        return EntryResult(verdict=Verdict.ABSTAINED, **base)
    return rederive_entry(pred, i, entry, dps, with_slack=with_slack, samples=samples)


def _entry_samples(pred: Predicate, i: int, entry: Entry, cert_path: str) -> tuple[Any, Finding | None]:
    """(per-sample scores or None, evidence finding or None) for the entry's score sidecar."""
    st = pred.statistics
    ref = entry.scores.sidecar if entry.scores is not None else None
    ptr = entry_pointer(i, "scores", "sidecar")
    if not ref:
        if st.interval == "betting" and pred.guarantee.output == "soft":
            msg = "interval 'betting' needs the per-sample scores: scores.sidecar is null"
            return None, Finding(Rule.EVIDENCE_MISSING, Severity.ERROR, msg, ptr, i)
        return None, None
    try:
        return load_samples(cert_path, ref, st.num_classes, st.n), None
    except SidecarError as exc:
        return None, Finding(Rule.SIDECAR_MISMATCH, Severity.ERROR, str(exc), ptr, i)


def _chunk_worker(args: tuple[Any, ...]) -> list[EntryResult]:
    return verify_entries(*args)


def _run_entries(
    pred: Predicate,
    pre: Mapping[int, list[Finding]],
    file_protocol: Sequence[Finding],
    opts: VerifyOptions,
    path: str,
) -> list[EntryResult]:
    entries = pred.entries
    workers = opts.workers if opts.workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(entries) < POOL_THRESHOLD:
        return verify_entries(pred, 0, pre, file_protocol, opts.precision, opts.slack, path)
    chunk = max(1, min(CHUNK, -(-len(entries) // (workers * 4))))
    jobs = []
    for s in range(0, len(entries), chunk):
        part = replace(pred, entries=entries[s : s + chunk])
        sub_pre = {i: f for i, f in pre.items() if s <= i < s + chunk}
        jobs.append((part, s, sub_pre, list(file_protocol), opts.precision, opts.slack, path))
    results: list[EntryResult] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part_results in pool.map(_chunk_worker, jobs):
            results.extend(part_results)
    return results
