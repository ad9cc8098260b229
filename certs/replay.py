"""Replay a certificate's sampling from its recorded seeds and compare the evidence with what it states.

An auditor who has the model and the data can check that a certificate's counts were produced by that model
under that noise, rather than written by hand: every entry is re-sampled from its own recorded seed with the
recorded noise, draw sizes, chunk size, dtype and graph kind, and its evidence is compared exactly.

Guarantees:

* Nothing is written. The certificate is read as ``audit verify`` reads it (trusted keys, or
  ``allow_unsigned``), and is refused (:class:`UsageError`, exit 2) when it lacks the sampler fields a replay
  needs (``chunk_size``, ``rng_device``, ``graph``: written by ``certs certify``) or when its generators ran
  on CUDA (``rng_device: cuda``) and no CUDA device is asked for.
* The model file must have the sha256 the certificate names (else :class:`InputError`). The model builder
  (safetensors weights) is the caller's, never imported from the certificate's ``sampler.model_builder``.
* An entry whose id carries no data index, whose index is outside the data, with no seed, or whose input
  bytes have another sha256 than ``input_sha256`` is ``input-mismatch`` and is not sampled.
* An entry is ``match`` when the selection counts, the estimation counts and, for soft output, the score sums
  (and the sidecar's sha256, for ``betting``) equal the certificate's exactly. Otherwise it is ``close`` when
  at most ``tolerance · (n0 + n)`` labels moved (half the L1 distance of the count vectors; a model run on
  other kernels, e.g. a CUDA certificate replayed on a CPU, moves a few by float rounding), else
  ``mismatch`` (score sums and sidecars have no ``close``: they must match exactly).
  :attr:`ReplayReport.passed` holds when every replayed entry is ``match`` or ``close``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from audit.errors import InputError, UsageError
from audit.format import Entry, Predicate, check_model_digests, load_certificate, sha256_bytes
from audit.format.model import Sampler as SamplerRecord
from audit.format.seeds import entry_index
from audit.format.sidecar import npy_bytes
from certs.certify import DTYPES, choose_graph, resolve_device
from certs.claims import soft_scores
from certs.data import input_digest, load_data, select_indices
from certs.graph import MODE_OF_GRAPH, deterministic_kernels
from certs.models import load_model
from certs.noise import NoiseSpec
from certs.sampler import Job, Sampler, SamplerConfig

STATUSES = ("match", "close", "mismatch", "input-mismatch")


@dataclass
class EntryReplay:
    """One entry's replay: ``status`` in :data:`STATUSES`, labels moved, and what differed."""

    index: int
    id: str
    status: str
    moved: int = 0  # labels that moved between classes (selection + estimation draws)
    samples: int = 0  # samples drawn for the entry (n0 + n), 0 when not replayed
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.id, "status": self.status, "moved": self.moved,
                "samples": self.samples, "detail": self.detail}  # fmt: skip


@dataclass
class ReplayReport:
    """Every replayed entry of one certificate, and the settings the replay ran with."""

    path: str
    signature: str
    entries: list[EntryReplay] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(e.status in ("match", "close") for e in self.entries)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for e in self.entries if e.status == s) for s in STATUSES}

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "signature": self.signature, "passed": self.passed,
                "counts": self.counts(), "settings": self.settings,
                "entries": [e.to_json() for e in self.entries]}  # fmt: skip


def noise_of(pred: Predicate) -> NoiseSpec:
    """The certificate's noise family and parameter as a :class:`NoiseSpec`."""
    sm = pred.smoothing
    if sm.family == "gaussian":
        return NoiseSpec("gaussian", sigma=str(sm.sigma))
    if sm.family == "laplace":
        return NoiseSpec("laplace", lam=str(sm.lam))
    return NoiseSpec("ablation", keep=sm.keep)


def _sampler_field(sampler: SamplerRecord, name: str, file: str) -> Any:
    value = getattr(sampler, name)
    if value is None or not isinstance(value, int | str):
        raise UsageError(
            f"cannot replay: sampler.{name} is missing (replay needs a certificate written by certs certify)",
            file=file,
            field=f"sampler.{name}",
        )
    return value


def _moved(got: Sequence[int] | None, want: Sequence[int] | None, samples: int) -> int:
    """Labels that moved between two count vectors (half their L1 distance); ``samples`` when they cannot
    be compared (one missing, or lengths differ)."""
    if got is None or want is None:
        return 0 if got is want else samples
    if len(got) != len(want):
        return samples
    return sum(abs(x - y) for x, y in zip(got, want, strict=True)) // 2


def compare_entry(
    i: int, entry: Entry, result: Any, n: int, soft: bool, tolerance: float, samples: int
) -> EntryReplay:
    """Compare one replayed :class:`certs.sampler.SampleResult` with the entry's stated evidence."""
    diffs: list[str] = []
    moved = 0
    for name, got, want in (("selection_counts", result.selection_counts, entry.selection_counts),
                            ("counts", None if soft else result.counts, entry.counts)):  # fmt: skip
        d = _moved(got, want, samples)
        if d:
            diffs.append(f"{name}: replayed {got}, certificate {want}")
            moved += d
    if soft:
        stated, again = entry.scores, soft_scores(result, n)
        if stated is None or (again.sum, again.sumsq) != (stated.sum, stated.sumsq):
            diffs.append("score sums differ")
            moved = max(moved, 1)
        side = stated.sidecar if stated is not None else None
        if side and result.samples is not None and sha256_bytes(npy_bytes(result.samples)) != side.sha256:
            diffs.append("per-sample scores differ from the sidecar's sha256")
            moved = max(moved, 1)
    if not diffs:
        return EntryReplay(i, entry.id, "match", 0, samples)
    close = moved <= tolerance * samples and all("counts" in d for d in diffs)
    return EntryReplay(i, entry.id, "close" if close else "mismatch", moved, samples, "; ".join(diffs))


@dataclass(frozen=True)
class Recorded:
    """What a replay must reproduce, read from the certificate's sampler record (and checked)."""

    chunk: int
    rng_kind: str
    graph: str
    mode: str
    dtype_name: str


def recorded_settings(pred: Predicate, name: str, dev: torch.device) -> Recorded:
    """The sampler settings the replay uses; UsageError when one is missing or cannot be replayed here."""
    rec = pred.sampler
    chunk = int(_sampler_field(rec, "chunk_size", name))
    rng_kind = str(_sampler_field(rec, "rng_device", name))
    graph = str(_sampler_field(rec, "graph", name))
    mode = MODE_OF_GRAPH.get(graph)
    if mode is None:
        raise UsageError(f"cannot replay: unknown sampler.graph {graph!r}", file=name, field="sampler.graph")
    if rng_kind != "cpu" and dev.type != rng_kind:
        raise UsageError(
            f"the certificate's generators ran on {rng_kind} (--rng device): its noise can only be "
            f"replayed there; pass --device {rng_kind}",
            file=name,
        )
    dtype_name = rec.dtype or "float32"
    if dtype_name not in DTYPES:
        raise UsageError(f"cannot replay dtype {dtype_name!r}", file=name, field="sampler.dtype")
    return Recorded(chunk, rng_kind, graph, mode, dtype_name)


def _check_model(statement: Any, model_path: str | Path, builder: str | None) -> None:
    mismatch = check_model_digests(statement, Path(model_path))
    if mismatch:
        raise InputError("the model is not the one the certificate names: " + "; ".join(mismatch),
                         file=str(model_path))  # fmt: skip
    rec_builder = statement.predicate.sampler.model_builder
    if builder is None and isinstance(rec_builder, str):
        # never import code a certificate names: the auditor states the builder (the record is a hint)
        raise UsageError(
            f"the model was built by {rec_builder!r} (sampler.model_builder): pass --model-builder "
            "yourself; replay does not import code named by the certificate"
        )


def _jobs(
    pred: Predicate, positions: Sequence[int], data: Any, report: ReplayReport
) -> list[tuple[int, Job]]:
    """The entries to sample as jobs; one whose input cannot be matched is reported ``input-mismatch``."""
    n, n0 = pred.statistics.n, pred.statistics.n0 or 0
    todo: list[tuple[int, Job]] = []
    for i in positions:
        e = pred.entries[i]
        idx = entry_index(e.id)
        if idx is None or idx >= len(data.inputs):
            why = "no data index in the id" if idx is None else f"index {idx} is outside the data"
            report.entries.append(EntryReplay(i, e.id, "input-mismatch", detail=why))
        elif e.seed is None:
            report.entries.append(EntryReplay(i, e.id, "input-mismatch", detail="no recorded seed"))
        elif input_digest(data.inputs[idx]) != e.input_sha256:
            detail = f"data input {idx} has another sha256 than the entry's input_sha256"
            report.entries.append(EntryReplay(i, e.id, "input-mismatch", detail=detail))
        else:
            todo.append((i, Job(torch.from_numpy(data.inputs[idx]), e.seed, n0, n)))
    return todo


def replay(
    cert_path: str | Path,
    model_path: str | Path,
    data_path: str | Path,
    *,
    trusted_keys: Sequence[Any] = (),
    allow_unsigned: bool = False,
    builder: str | None = None,
    entries: str | None = None,
    device: str = "cpu",
    batch_size: int | None = None,
    tolerance: float = 0.0,
    progress: Callable[[str, dict[str, Any]], None] | None = None,
) -> ReplayReport:
    """Re-sample the certificate's entries (``entries`` like ``"0-9,12"``: positions in the certificate;
    default all) and compare their evidence; see the module guarantees. ``batch_size`` defaults to the
    recorded one."""
    if not 0 <= tolerance < 1:
        raise UsageError(f"--tolerance must be in [0, 1), got {tolerance}")
    name = str(cert_path)
    loaded = load_certificate(cert_path, list(trusted_keys), allow_unsigned=allow_unsigned)
    assert loaded.statement is not None
    pred = loaded.statement.predicate
    dev = resolve_device(device)
    rec = recorded_settings(pred, name, dev)
    _check_model(loaded.statement, model_path, builder)
    dtype = DTYPES[rec.dtype_name]
    model = load_model(model_path, builder=builder, device=dev, dtype=dtype)
    data = load_data(data_path)
    report = ReplayReport(name, str(loaded.signature))
    positions = select_indices(len(pred.entries), entries) if pred.entries else []
    todo = _jobs(pred, positions, data, report)
    batch = batch_size or pred.sampler.batch_size
    report.settings = {"device": str(dev), "rng_device": rec.rng_kind, "graph": rec.graph,
                       "dtype": rec.dtype_name, "chunk_size": rec.chunk, "batch_size": batch or "auto",
                       "tolerance": tolerance}  # fmt: skip
    if todo:
        st, soft = pred.statistics, pred.guarantee.output == "soft"
        rng = dev if rec.rng_kind != "cpu" else "cpu"
        betting = soft and st.interval == "betting"
        config = SamplerConfig(
            batch_size=batch, chunk_size=rec.chunk, device=dev, rng_device=rng, dtype=dtype, soft=soft,
            keep_samples=betting,
        )  # fmt: skip
        shape = tuple(int(s) for s in data.inputs.shape[1:])
        with deterministic_kernels(dev):
            choice = choose_graph(model, noise_of(pred), data.inputs[0], dev, dtype, rec.mode)
            sampler = Sampler(choice.model, noise_of(pred), shape, st.num_classes, config)
            _sample(pred, sampler, todo, report, tolerance, progress)
    report.entries.sort(key=lambda r: r.index)
    return report


def _sample(
    pred: Predicate,
    sampler: Sampler,
    todo: list[tuple[int, Job]],
    report: ReplayReport,
    tolerance: float,
    progress: Callable[[str, dict[str, Any]], None] | None,
) -> None:
    """Sample the jobs and compare each entry's evidence with the certificate's (appended to ``report``)."""
    n, n0 = pred.statistics.n, pred.statistics.n0 or 0
    if progress:
        progress("start", {"total": len(todo), "done": 0, "samples_per_input": n0 + n})
    on_batch = (lambda m: progress("batch", {"samples": m})) if progress else None
    done = 0
    for grp, results in sampler.run([j for _, j in todo], on_batch=on_batch):
        for j, res in zip(grp, results, strict=True):
            i = todo[j][0]
            report.entries.append(compare_entry(i, pred.entries[i], res, n, sampler.soft, tolerance, n0 + n))
        done += len(grp)
        if progress:
            progress("input", {"done": done})
