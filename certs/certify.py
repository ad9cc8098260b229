"""Library API of ``certs certify``: model + inputs → signed certificate (everything the CLI does).

Guarantees:

- The model is loaded without unpickling (:mod:`certs.models`), runs in eval mode under inference mode, eager
  or as a probe-checked optimised TorchScript graph (:mod:`certs.graph`; the choice is recorded).
- Input ``i`` is sampled with its own recorded seed, derived by the rule named in ``sampler.seed_rule``
  (:mod:`audit.format.seeds`, re-checked by ``audit verify``); the counts do not depend on batch size,
  packing or on whether the run was interrupted and resumed (see :mod:`certs.sampler`).
- Radii come from :mod:`audit.theory` and are written rounded toward zero (:mod:`certs.claims`).
- The certificate is written atomically (signed DSSE envelope, schema-checked by :mod:`audit.format`).
  Progress is kept in ``<out>.partial`` (also atomic); ``resume=True`` continues from the finished inputs
  of a partial run with the same configuration and refuses a mismatching one.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

import certs
from audit.errors import FormatError, InputError, UsageError
from audit.format import (
    Entry,
    Predicate,
    Statement,
    atomic_write,
    build_statement,
    dumps_json,
    encode_certificate,
    load_private_key,
    model_digests,
    parse_json_strict,
    read_bounded,
    sha256_bytes,
    validate_semantics,
    write_certificate,
)
from audit.format.model import (
    AlphaPart,
    Guarantee,
    InputSpace,
    SidecarRef,
    Smoothing,
    Statistics,
    Summary,
    Tool,
    decode,
    replace,
    to_builtins,
)
from audit.format.model import (
    Sampler as SamplerRecord,
)
from audit.format.numbers import Dec, NonNegDec, decimal_string
from audit.format.seeds import SEED_RULE, seed_for
from audit.format.sidecar import MAX_SIDECAR_BYTES, npy_bytes
from audit.theory import CertificationSpec, alpha_split, methods
from certs.claims import make_entry, summary
from certs.data import Dataset, input_digest, load_data, select_indices
from certs.graph import MODE_OF_GRAPH, GraphChoice, deterministic_kernels, noisy_probe, prepare_graph
from certs.models import LoadedModel, load_model
from certs.noise import ABLATED_ENCODING, NoiseSpec
from certs.sampler import DEFAULT_CHUNK, GROUP_SAMPLES, Job, Sampler, SamplerConfig

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
}
PARTIAL_SUFFIX = ".partial"


@dataclass
class CertifyOptions:
    """How to certify. ``None`` fields get the per-mode defaults of :func:`resolve_defaults`."""

    noise: NoiseSpec
    n0: int = 100
    n: int = 100_000
    alpha: str = "0.001"
    k: int = 1
    soft: bool = False
    interval: str | None = None
    radius_method: str | None = None
    selection: str | None = None  # "separate-draw" | "fixed-label"
    lipschitz: str | None = None
    batch_size: int | None = None  # None = chosen during the run on the real workload (certs.tuning)
    chunk_size: int = DEFAULT_CHUNK
    device: str = "auto"
    dtype: str = "float32"
    graph: str = "auto"  # certs.graph.MODES: "auto" | "eager" | "optimized" | "fused"
    rng: str = "cpu"  # "cpu": CPU generators, every run replays on a CPU | "device": the model device's own
    base_seed: int = 0
    pack: bool = True
    group_samples: int = GROUP_SAMPLES  # inputs packed per host read / checkpoint
    summary_radii: Sequence[str] | None = None
    rho: str = "0.001"
    input_low: str | None = "0"
    input_high: str | None = "1"
    units: str = "pixel intensity scaled to [0,1]"


@dataclass
class CertifyResult:
    """What a run produced: the written path, the statement, sampling throughput."""

    out: Path
    statement: Statement
    samples: int = 0
    seconds: float = 0.0
    resumed_entries: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def resolve_defaults(o: CertifyOptions) -> tuple[str, str, str]:
    """(radius_method, interval, selection) for the options: the noise family's default radius method for
    hard top-1, top-k or soft output and that method's default interval (the method registry,
    :mod:`audit.theory.methods`), then the user's overrides. Top-k certifies the label fixed in advance."""
    fam = methods.family(o.noise.family)
    if o.soft and fam.soft is None:
        raise UsageError(f"--soft is not available for {fam.name} noise")
    rm = fam.soft if o.soft else (fam.topk if o.k > 1 and fam.topk else fam.top1)
    assert rm is not None
    rm = o.radius_method or rm
    iv = o.interval or methods.radius_method(rm).default_interval
    sel = o.selection or ("fixed-label" if o.k > 1 and not o.soft else "separate-draw")
    if sel not in ("separate-draw", "fixed-label"):
        raise UsageError(f"--selection must be separate-draw or fixed-label, not {sel!r}")
    if sel == "separate-draw" and o.n0 < 1:
        raise UsageError("separate-draw selection needs --n0 >= 1")
    if o.n < 1:
        raise UsageError("--n must be >= 1")
    return rm, iv, sel


def resolve_rng_device(rng: str, device: torch.device) -> torch.device:
    """Where the per-input generators live: ``cpu`` (default, replayable on any machine) or ``device``."""
    if rng == "cpu":
        return torch.device("cpu")
    if rng == "device":
        return device
    raise UsageError(f"--rng must be cpu or device, not {rng!r}")


def resolve_device(name: str) -> torch.device:
    """``auto`` → cuda if available else cpu; refuses cuda when it is not available."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise UsageError(f"--device must be auto, cpu or cuda[:i], not {name!r}") from None
    if dev.type not in ("cpu", "cuda"):
        raise UsageError(f"--device must be auto, cpu or cuda[:i], not {name!r}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda requested but CUDA is not available")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise UsageError(f"--device {name}: only {torch.cuda.device_count()} CUDA device(s)")
    return dev


def check_output_path(out: Path) -> None:
    """Refuse, before any sampling, an ``--out`` that cannot be written (empty, a directory, no parent)."""
    if not out.name or out.name in (".", ".."):
        raise UsageError("--out needs a file name")
    if out.is_dir():
        raise UsageError("--out is a directory; give a file path", file=str(out))
    if not out.parent.is_dir():
        raise UsageError("--out: the directory does not exist", file=str(out.parent))


def check_labels(
    data: Dataset, chosen: Sequence[int], num_classes: int, selection: str, file: str | None = None
) -> None:
    """Labels of the selected inputs are in ``[0, num_classes)``; fixed-label selection needs labels."""
    if data.labels is None:
        if selection == "fixed-label":
            raise UsageError(
                "fixed-label selection (and --k > 1) certifies each input's true label, but the data has "
                "no labels (add 'labels' or 'y')"
            )
        return
    for i in chosen:
        label = int(data.labels[i])
        if not 0 <= label < num_classes:
            raise InputError(
                f"label {label} of input {i} is outside [0, {num_classes}) (the model has {num_classes} "
                "classes)",
                file=file or data.name,
                field="labels",
            )


def preflight(header: Predicate, subject: Any, out: Path) -> None:
    """Validate the header exactly as the verifier will (structure + semantics) before any sampling.

    A certificate that could only be rejected at the end (a seed out of range, k >= classes, ...) is refused
    now as a usage error, so no time is spent and no partial run is left behind.
    """
    statement = build_statement(header, [subject])
    try:
        encode_certificate(statement)
        validate_semantics(statement)
    except FormatError as exc:
        msg = f"these options would give an invalid certificate: {exc.message}"
        raise UsageError(msg, file=str(out), field=exc.field) from None


def default_radii(o: CertifyOptions) -> list[str]:
    if o.noise.family == "ablation":
        return ["0", "1", "2", "3", "4"]
    return ["0", "0.25", "0.5", "0.75", "1"]


def _software() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "torch": str(torch.__version__),
        "numpy": np.__version__,
        "certs": certs.__version__,
    }


def _num_classes(
    model: LoadedModel, noise: NoiseSpec, x: np.ndarray, device: torch.device, dtype: torch.dtype
) -> int:
    gen = torch.Generator(device=device).manual_seed(0)
    out = torch.empty((1, *noise.model_shape(tuple(x.shape))), device=device)
    with torch.inference_mode():
        noise.draw(out, torch.from_numpy(x).to(device), gen)
        try:
            logits = model.module(out.to(dtype))
        except (RuntimeError, ValueError, TypeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(
                f"the model cannot evaluate inputs of shape {list(x.shape)} (as {list(out.shape)}): {first}"
            ) from None
    if logits.ndim != 2 or logits.shape[1] < 2:
        raise InputError(f"model output has shape {list(logits.shape)}; expected [batch, classes>=2]")
    return int(logits.shape[1])


def choose_graph(
    model: LoadedModel, noise: NoiseSpec, x: np.ndarray, device: torch.device, dtype: torch.dtype, mode: str,
    workload: int | None = None,
) -> GraphChoice:  # fmt: skip
    """:func:`certs.graph.prepare_graph` on noisy copies of ``x`` (:func:`certs.graph.noisy_probe`)."""
    probe = noisy_probe(noise, torch.from_numpy(x), device)
    return prepare_graph(model.module, probe.to(dtype), mode, dtype=dtype, workload=workload)


def _smoothing(o: CertifyOptions, shape: tuple[int, ...]) -> Smoothing:
    fam = o.noise.family
    return Smoothing(
        family=fam,
        sigma=NonNegDec(o.noise.sigma) if fam == "gaussian" and o.noise.sigma else None,
        lam=NonNegDec(o.noise.lam) if fam == "laplace" and o.noise.lam else None,
        keep=o.noise.keep if fam == "ablation" else None,
        d=o.noise.dimension(shape),
        input_space=InputSpace(
            shape=list(shape),
            low=Dec(o.input_low) if o.input_low is not None else None,
            high=Dec(o.input_high) if o.input_high is not None else None,
            units=o.units,
        ),
        ablated_encoding=ABLATED_ENCODING if fam == "ablation" else None,
    )


def _sampler_record(
    o: CertifyOptions, model: LoadedModel, device: torch.device, batch_size: int | None
) -> SamplerRecord:
    rng_device = resolve_rng_device(o.rng, device)
    gen_kind = "mt19937" if rng_device.type == "cpu" else "philox"
    return SamplerRecord(
        software=_software(),
        device=str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        dtype=o.dtype,
        batch_size=batch_size,
        rng=(
            f"torch.Generator(device={rng_device.type}) {gen_kind}, one per input seeded with entry.seed; "
            f"noise drawn in chunks of {o.chunk_size} samples (selection draw, then estimation draw)"
        ),
        base_seed=o.base_seed,
        seed_rule=SEED_RULE,
        chunk_size=o.chunk_size,
        device_type=device.type,
        rng_device=rng_device.type,
        model_builder=model.builder,
        model_kind=model.kind,
        label_rule="argmax of the logits, ties to the smallest index",
    )


def build_header(
    o: CertifyOptions,
    model: LoadedModel,
    model_path: Path,
    data: Dataset,
    num_classes: int,
    device: torch.device,
    batch_size: int | None,
) -> Predicate:
    """The predicate without entries and summary; its α split is the theory's for the chosen method."""
    rm, iv, sel = resolve_defaults(o)
    shape = tuple(int(s) for s in data.inputs.shape[1:])
    statistics = Statistics(
        alpha=NonNegDec(o.alpha), interval=iv, alpha_split=[], selection=sel,  # type: ignore[arg-type]
        n0=o.n0 if sel == "separate-draw" else None, n=o.n, num_classes=num_classes,
    )  # fmt: skip
    header = Predicate(
        format_version=1,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        tool=Tool(name="certs", version=certs.__version__),
        model_files=model_digests(model_path).model_files,
        smoothing=_smoothing(o, shape),
        guarantee=Guarantee(
            norm=o.noise.norm,
            k=o.k,
            output="soft" if o.soft else "hard",
            radius_method=rm,  # type: ignore[arg-type]
            lipschitz=NonNegDec(o.lipschitz) if o.lipschitz is not None else None,
        ),
        statistics=statistics,
        sampler=_sampler_record(o, model, device, batch_size),
        entries=[],
        summary=Summary(certified_accuracy=[]),
    )
    split = alpha_split(CertificationSpec.from_predicate(header), num_classes)
    parts = [AlphaPart(bound=name, alpha=NonNegDec(decimal_string(a, 30, "down"))) for name, a in split]
    return replace(header, statistics=replace(statistics, alpha_split=parts))


def _config_digest(header: Predicate, ids: Sequence[str], digests: Sequence[str]) -> str:
    """What must not change between an interrupted run and its resumption."""
    keep: dict[str, Any] = {
        k: to_builtins(getattr(header, k)) for k in ("model_files", "smoothing", "guarantee", "statistics")
    }
    sam = to_builtins(header.sampler)
    keep["sampler"] = {
        k: sam.get(k)
        for k in ("base_seed", "chunk_size", "device_type", "rng_device", "dtype", "model_builder", "graph")
    }
    keep["inputs"] = [list(ids), list(digests)]
    return sha256_bytes(dumps_json(keep))


def _load_partial(path: Path, digest: str) -> list[Entry]:
    if not path.exists():
        raise UsageError(f"--resume: no partial run at {path}")
    state = parse_json_strict(read_bounded(path), file=str(path))
    if not isinstance(state, dict) or state.get("config_sha256") != digest:
        raise UsageError(
            "--resume: the partial run was made with a different model, data, noise, statistics or seed",
            file=str(path),
        )
    return decode(state.get("entries"), list[Entry], file=str(path))


def sidecar_path(out: Path, position: int) -> str:
    """POSIX path, relative to the certificate's directory, of the score sidecar of entry ``position``."""
    return f"{out.name}.scores/{position:06d}.npy"


def write_sidecar(out: Path, position: int, result: Any) -> SidecarRef:
    """Atomically write ``result.samples`` ((num_classes, n) ``<f8``) as ``.npy`` beside ``out``; the
    returned reference's digest is of the exact bytes written."""
    if result.samples is None:
        raise RuntimeError("betting needs per-sample scores, but the sampler kept none")
    data = npy_bytes(result.samples)
    rel = sidecar_path(out, position)
    atomic_write(out.parent.joinpath(*rel.split("/")), data, make_parents=True)
    return SidecarRef(path=rel, sha256=sha256_bytes(data))


def _save_partial(path: Path, digest: str, entries: list[Entry], graph: str) -> None:
    state = {"config_sha256": digest, "graph": graph, "entries": to_builtins(entries)}
    atomic_write(path, dumps_json(state))


def _resumed_graph_mode(partial: Path, mode: str) -> str:
    """``--graph auto`` on resume: the mode of the graph the partial run used (auto's choice is timed, so
    it could differ between runs, and a different graph changes the logits' last bits)."""
    if mode != "auto" or not partial.exists():
        return mode
    state = parse_json_strict(read_bounded(partial), file=str(partial))
    graph = state.get("graph") if isinstance(state, dict) else None
    return MODE_OF_GRAPH.get(graph, mode) if isinstance(graph, str) else mode


ProgressHook = Callable[[str, dict[str, Any]], None]


@dataclass
class Run:
    """Everything one certification run needs, resolved and checked before any sampling."""

    options: CertifyOptions
    out: Path
    partial: Path
    model_path: Path
    data: Dataset
    chosen: list[int]
    ids: list[str]
    digests: list[str]
    header: Predicate
    subject: Any
    spec: CertificationSpec
    graph: GraphChoice
    sampler: Sampler
    config: str
    betting: bool = False
    entries: list[Entry] = field(default_factory=list)
    resumed: int = 0  # entries taken over from a partial run


def certify(
    model_path: str | Path,
    data_path: str | Path,
    options: CertifyOptions,
    *,
    out: str | Path,
    key: Any = None,
    builder: str | None = None,
    indices: str | None = None,
    skip: int = 1,
    limit: int | None = None,
    resume: bool = False,
    progress: ProgressHook | None = None,
) -> CertifyResult:
    """Sample, derive and write a (signed, if ``key``) certificate to ``out``; see the module guarantees.

    ``key`` is a path to an Ed25519 private key PEM or a key object (``None`` = unsigned). ``progress`` gets
    ``("start", {...})``, ``("batch", {"samples": m})``, ``("input", {"done": k})`` events; an exception it
    raises (e.g. KeyboardInterrupt) stops the run with its finished inputs saved for ``resume``.
    """
    private_key = load_private_key(key) if isinstance(key, str | Path) else key
    inputs = Inputs(Path(model_path), Path(data_path), builder, indices, skip, limit)
    with deterministic_kernels(resolve_device(options.device)) as kernels:
        run = prepare_run(inputs, options, Path(out), resume, kernels)
        t0 = time.perf_counter()
        samples = sample_entries(run, progress)
        seconds = time.perf_counter() - t0
    return finish_run(run, private_key, samples, seconds)


@dataclass(frozen=True)
class Inputs:
    """What to certify: the model (and the builder of its safetensors weights), the data, which inputs."""

    model_path: Path
    data_path: Path
    builder: str | None = None
    indices: str | None = None
    skip: int = 1
    limit: int | None = None


def prepare_run(inputs: Inputs, o: CertifyOptions, out: Path, resume: bool, kernels: dict[str, str]) -> Run:
    """Check the options, load model and data, choose the graph, build and check the header (no sampling)."""
    model_path, data_path = inputs.model_path, inputs.data_path
    check_output_path(out)
    partial = out.with_name(out.name + PARTIAL_SUFFIX)
    _, iv, sel = resolve_defaults(o)
    if not 0 <= o.base_seed < 2**63:  # a certificate's integers are JSON int64
        raise UsageError(f"--seed must be in [0, 2**63), got {o.base_seed}")
    if o.dtype not in DTYPES:
        raise UsageError(f"--dtype must be one of {sorted(DTYPES)}")
    device, dtype = resolve_device(o.device), DTYPES[o.dtype]
    model = load_model(model_path, builder=inputs.builder, device=device, dtype=dtype)
    data = load_data(data_path)
    chosen = select_indices(len(data.inputs), inputs.indices, inputs.skip, inputs.limit)
    if not chosen:
        raise UsageError("no inputs selected")
    shape = tuple(int(s) for s in data.inputs.shape[1:])
    o.noise.dimension(shape)  # validates keep vs d
    try:
        num_classes = _num_classes(model, o.noise, data.inputs[chosen[0]], device, dtype)
    except InputError as exc:
        raise exc.with_location(file=str(data_path)) from None
    check_labels(data, chosen, num_classes, sel, file=str(data_path))
    per_input = (o.n0 if sel == "separate-draw" else 0) + o.n
    graph_mode = _resumed_graph_mode(partial, o.graph) if resume else o.graph
    choice = choose_graph(
        model, o.noise, data.inputs[chosen[0]], device, dtype, graph_mode, per_input * len(chosen)
    )
    header = build_header(o, model, model_path, data, num_classes, device, o.batch_size)
    extra = {**choice.record(), **kernels}
    header = replace(header, sampler=replace(header.sampler, **extra))
    subject = model_digests(model_path).subject
    preflight(header, subject, out)
    betting = iv == "betting"
    if betting and 8 * num_classes * o.n + 1024 > MAX_SIDECAR_BYTES:
        raise UsageError(
            f"--interval betting: the per-sample scores of one input ({num_classes} classes × n={o.n}) "
            f"would exceed the {MAX_SIDECAR_BYTES // 2**20} MiB sidecar limit; lower --n"
        )
    ids = [f"{data.name}:{i}" for i in chosen]
    digests = [input_digest(data.inputs[i]) for i in chosen]
    sampler = Sampler(
        choice.model,
        o.noise,
        shape,
        num_classes,
        SamplerConfig(
            batch_size=o.batch_size,
            chunk_size=o.chunk_size,
            device=device,
            rng_device=resolve_rng_device(o.rng, device),
            dtype=dtype,
            soft=o.soft,
            keep_samples=betting,
        ),
    )
    run = Run(o, out, partial, model_path, data, chosen, ids, digests, header, subject,
              CertificationSpec.from_predicate(header), choice, sampler, _config_digest(header, ids, digests),
              betting)  # fmt: skip
    run.entries = _resumed_entries(run) if resume else _fresh(run)
    run.resumed = len(run.entries)
    return run


def _fresh(run: Run) -> list[Entry]:
    if run.partial.exists():
        raise UsageError(
            f"a partial run exists at {run.partial}: pass --resume to continue it, or delete it to start over"
        )
    return []


def _resumed_entries(run: Run) -> list[Entry]:
    entries = _load_partial(run.partial, run.config)
    if [e.id for e in entries] != run.ids[: len(entries)]:
        raise InputError("partial run's entries do not match the selected inputs", file=str(run.partial))
    return entries


def sample_entries(run: Run, progress: ProgressHook | None) -> int:
    """Sample every input not yet in ``run.entries`` and append its entry; returns the samples drawn.

    The finished entries are saved to the partial file at least every second and on any exception."""
    o, resumed = run.options, len(run.entries)
    n0 = o.n0 if run.header.statistics.selection == "separate-draw" else 0
    todo = list(range(resumed, len(run.chosen)))
    jobs = [Job(x=torch.from_numpy(run.data.inputs[run.chosen[t]]), seed=seed_for(o.base_seed, run.chosen[t]),
                n0=n0, n=o.n) for t in todo]  # fmt: skip
    if progress:
        progress("start", {"total": len(run.chosen), "done": resumed, "batch_size": o.batch_size or "auto",
                           "samples_per_input": n0 + o.n, "device": str(run.sampler.device),
                           "graph": run.graph.graph})  # fmt: skip
    on_batch = (lambda m: progress("batch", {"samples": m})) if progress else None
    samples, last_save = 0, time.monotonic()
    try:
        for grp, results in run.sampler.run(
            jobs, pack=o.pack, group_samples=o.group_samples, on_batch=on_batch
        ):
            for j, res in zip(grp, results, strict=True):
                run.entries.append(_entry(run, todo[j], jobs[j].seed, res))
                samples += jobs[j].n0 + jobs[j].n
            if progress:
                progress("input", {"done": len(run.entries)})
            if time.monotonic() - last_save > 1.0 or len(run.entries) == len(run.chosen):
                _save_partial(run.partial, run.config, run.entries, run.graph.graph)
                last_save = time.monotonic()
    except BaseException:
        if len(run.entries) > resumed:
            _save_partial(run.partial, run.config, run.entries, run.graph.graph)
        raise
    return samples


def _entry(run: Run, t: int, seed: int, result: Any) -> Entry:
    labels = run.data.labels
    idx = run.chosen[t]
    return make_entry(
        run.header, run.spec, entry_id=run.ids[t], input_sha256=run.digests[t],
        true_label=int(labels[idx]) if labels is not None else None, seed=seed, result=result,
        sidecar=write_sidecar(run.out, t, result) if run.betting else None,
    )  # fmt: skip


def finish_run(run: Run, private_key: Any, samples: int, seconds: float) -> CertifyResult:
    """Write the certificate (summary, the batch size the run settled on) and remove the partial file."""
    o = run.options
    sampler = replace(run.header.sampler, batch_size=run.sampler.batch_size or o.batch_size or 1)
    predicate = replace(
        run.header, sampler=sampler, entries=run.entries,
        summary=summary(run.entries, o.alpha, list(o.summary_radii or default_radii(o)), o.rho),
    )  # fmt: skip
    statement = build_statement(predicate, [run.subject])
    write_certificate(run.out, statement, private_key)
    run.partial.unlink(missing_ok=True)
    return CertifyResult(out=run.out, statement=statement, samples=samples, seconds=seconds,
                         resumed_entries=run.resumed)  # fmt: skip


def sampler_throughput(result: CertifyResult) -> float:
    """Model evaluations per second of the sampling loop."""
    return result.samples / result.seconds if result.seconds > 0 else 0.0


def dumps_summary(result: CertifyResult) -> str:
    """A short human summary of a run."""
    pred = result.statement.predicate
    es = pred.entries
    certified = sum(1 for e in es if not e.claim.abstain)
    correct = sum(1 for e in es if not e.claim.abstain and e.claim.label == e.true_label)
    rows = ", ".join(f"r={r.radius}: {r.claimed}" for r in pred.summary.certified_accuracy)
    summary_row = {
        "out": str(result.out),
        "entries": len(es),
        "non_abstain": certified,
        "certified_correct": correct,
        "evals_per_s": round(sampler_throughput(result)),
        "certified_accuracy": rows,
    }
    return json.dumps(summary_row, allow_nan=False)
