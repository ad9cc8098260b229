"""Monte Carlo sampler: noise → base model → label counts (and score statistics), counted on the device.

Determinism contract (what makes replay and packing exact):

- Input ``i`` owns a ``torch.Generator`` seeded with its recorded ``seed``, on ``rng_device`` (default: the
  CPU, mt19937, whatever device runs the model, so every run replays exactly on a CPU; ``rng_device`` equal
  to a CUDA model device uses that device's Philox generator instead, faster, and replays only there). Its
  noise is drawn in *chunks* of
  ``chunk_size`` samples (the last chunk of a draw may be smaller): first the ``n0`` selection samples, then
  the ``n`` estimation samples, each chunk by one :meth:`NoiseSpec.draw` call. The stream consumed by input
  ``i`` therefore depends only on (seed, n0, n, chunk_size, noise, input shape, rng device kind), never on
  the batch size or on which other inputs share a batch.
- When the generators live elsewhere than the model (CPU noise, CUDA model) each batch is drawn into one of
  two host staging buffers (pinned on CUDA) and copied to the device asynchronously; a staging buffer is
  refilled only after its previous copy has completed (a CUDA event), so the next batch's noise is drawn on
  the CPU while the device still runs the current one. Staging moves bytes; the samples are identical.
- A batch is filled with whole chunks where they fit; a chunk that straddles a batch boundary is drawn once
  into a side buffer and copied piecewise, so the samples are the same either way.
- ``batch_size=None`` chooses the batch size during the run, on the real workload (:mod:`certs.tuning`);
  the chosen size is then :attr:`Sampler.batch_size`. The noise is the same as with any fixed batch size;
  the logits may differ in their last bits between batch sizes (kernels are chosen by shape), so a count
  can differ only where a sample sits at a near-tie of its top two logits.
- Labels are ``argmax`` of the logits (ties → smallest index). Counts are accumulated with ``index_add_``
  into a device tensor; the host reads them once per *group* of inputs (no synchronisation per batch).
  Packing several small-n inputs into one batch changes throughput, not the noise (given a base model whose
  per-sample output does not depend on the other rows of its batch, true of eval-mode CNNs), and counts
  only through the batch-size caveat above.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from audit.format.seeds import seed_for as seed_for  # the issuer's per-input seed rule, re-exported
from certs.noise import NoiseSpec
from certs.tuning import BatchTuner, ladder

DEFAULT_CHUNK = 100
GROUP_SAMPLES = 50_000  # pack inputs into groups of about this many samples (one host read per group)
BUFFER_BYTES = 256 * 2**20  # the automatic batch size never needs a noise buffer above this


@dataclass(frozen=True)
class Job:
    """One input to sample: ``x`` has the input shape; ``n0`` = 0 means no selection draw."""

    x: torch.Tensor
    seed: int
    n0: int
    n: int


@dataclass
class SampleResult:
    """Evidence for one input: counts per class (selection and estimation), soft score sums if requested."""

    selection_counts: list[int] | None
    counts: list[int]
    score_sum: list[float] | None = None
    score_sumsq: list[float] | None = None
    samples: np.ndarray | None = None  # (num_classes, n) float64 scores in sampling order (keep_samples)


@dataclass
class _Cursor:
    """Where a group's drawing stands: the plan's next chunk, how much of it is drawn, its side buffer."""

    chunk: int = 0
    offset: int = 0
    side: torch.Tensor | None = None


def _chunks(total: int, chunk: int) -> list[int]:
    return [min(chunk, total - off) for off in range(0, total, chunk)]


@dataclass(frozen=True)
class SamplerConfig:
    """How a :class:`Sampler` runs: the batch size (``None``: chosen during the run, :mod:`certs.tuning`),
    the noise chunk size (part of the replay contract), where the model and the generators run, the model's
    dtype, soft scores (and whether to keep every per-sample score, for betting), the largest automatic
    batch, and staging (``None``: exactly when the generators live elsewhere than the model)."""

    batch_size: int | None = None
    chunk_size: int = DEFAULT_CHUNK
    device: str | torch.device = "cpu"
    rng_device: str | torch.device = "cpu"
    dtype: torch.dtype = torch.float32
    soft: bool = False
    keep_samples: bool = False
    max_batch: int | None = None
    staged: bool | None = None


class Sampler:
    """Runs jobs through ``model`` under ``noise``; see the module docstring for the guarantees."""

    def __init__(
        self,
        model: nn.Module | Callable[[torch.Tensor], torch.Tensor],
        noise: NoiseSpec,
        input_shape: Sequence[int],
        num_classes: int,
        config: SamplerConfig | None = None,
    ) -> None:
        cfg = config or SamplerConfig()
        if cfg.keep_samples and not cfg.soft:
            raise ValueError("keep_samples needs soft=True (per-sample scores are softmax scores)")
        if (cfg.batch_size is not None and cfg.batch_size < 1) or cfg.chunk_size < 1:
            raise ValueError("batch_size and chunk_size must be positive")
        self.config = cfg
        self.model = model
        self.noise = noise
        self.input_shape = tuple(int(s) for s in input_shape)
        self.model_shape = noise.model_shape(self.input_shape)
        self.num_classes = int(num_classes)
        self.chunk_size = int(cfg.chunk_size)
        self.device = torch.device(cfg.device)
        self.rng_device = torch.device(cfg.rng_device)
        self.staged = (self.rng_device != self.device) if cfg.staged is None else bool(cfg.staged)
        self._pinned = self.staged and self.device.type == "cuda" and self.rng_device.type == "cpu"
        self.dtype = cfg.dtype
        self.soft = cfg.soft
        self.keep_samples = cfg.keep_samples
        self.fixed_batch = int(cfg.batch_size) if cfg.batch_size is not None else None
        per_sample = 4 * math.prod(self.model_shape)
        default_max = 16384 if self.device.type == "cuda" else 4096
        self.max_batch = max(1, min(cfg.max_batch or default_max, BUFFER_BYTES // max(1, per_sample)))
        self.tuner: BatchTuner | None = None
        self._cap = 0
        self._side = torch.empty((self.chunk_size, *self.model_shape), device=self.rng_device)
        self._events: list[object | None] = [None, None]
        self._flip = 0
        if self.fixed_batch is not None:
            self._ensure(self.fixed_batch)

    @property
    def batch_size(self) -> int | None:
        """The fixed batch size, or the one the tuner settled on (its best so far while still exploring)."""
        if self.fixed_batch is not None:
            return self.fixed_batch
        return self.tuner.best() if self.tuner is not None else None

    def _ensure(self, size: int) -> None:
        """Preallocate the noise buffer and counting helpers for batches of up to ``size`` samples."""
        if size <= self._cap:
            return
        shape = (size, *self.model_shape)
        if self.staged:  # two host buffers the noise is drawn into, one device buffer the model reads
            self._bufs = [
                torch.empty(shape, device=self.rng_device, pin_memory=self._pinned) for _ in range(2)
            ]
            self._dbuf = torch.empty(shape, device=self.device)
        else:
            self._bufs = [torch.empty(shape, device=self.device)]
        self._events = [None, None]
        self._ones = torch.ones(size, dtype=torch.int64, device=self.device)
        self._offsets = torch.empty(size, dtype=torch.int64, device=self.device)
        self._cap = size

    def _start_tuning(self, workload: int) -> None:
        if self.fixed_batch is None and self.tuner is None:
            self.tuner = BatchTuner(ladder(self.chunk_size, self.max_batch, workload), workload)
            self._ensure(self.tuner.max_batch)

    def groups(
        self, jobs: Sequence[Job], pack: bool = True, group_samples: int = GROUP_SAMPLES
    ) -> list[range]:
        """Split ``jobs`` into consecutive groups (one input each when ``pack`` is false)."""
        out: list[range] = []
        start, total = 0, 0
        for i, job in enumerate(jobs):
            total += job.n0 + job.n
            if not pack or total >= group_samples or i == len(jobs) - 1:
                out.append(range(start, i + 1))
                start, total = i + 1, 0
        return out

    def run(
        self,
        jobs: Sequence[Job],
        *,
        pack: bool = True,
        group_samples: int = GROUP_SAMPLES,
        on_batch: Callable[[int], None] | None = None,
    ) -> Iterator[tuple[range, list[SampleResult]]]:
        """Yield ``(indices into jobs, results)`` group by group, in job order."""
        self._start_tuning(sum(j.n0 + j.n for j in jobs))
        for grp in self.groups(jobs, pack, group_samples):
            yield grp, self.run_group([jobs[i] for i in grp], on_batch=on_batch)

    @torch.inference_mode()
    def run_group(
        self, jobs: Sequence[Job], on_batch: Callable[[int], None] | None = None
    ) -> list[SampleResult]:
        """Sample every job of one group (packed into shared batches); one host read at the end."""
        self._start_tuning(sum(j.n0 + j.n for j in jobs))
        c = self.num_classes
        rows = 2 * len(jobs)
        xs = torch.stack([j.x.to(self.rng_device, torch.float32) for j in jobs]).reshape(
            len(jobs), *self.input_shape
        )
        gens = [torch.Generator(device=self.rng_device).manual_seed(int(j.seed)) for j in jobs]
        # (row, slot, size): all selection chunks, then all estimation chunks (each input's own order).
        plan = [(2 * s, s, m) for s, j in enumerate(jobs) for m in _chunks(j.n0, self.chunk_size)]
        plan += [(2 * s + 1, s, m) for s, j in enumerate(jobs) for m in _chunks(j.n, self.chunk_size)]
        counts = torch.zeros(rows * c, dtype=torch.int64, device=self.device)
        sums = sumsq = None
        if self.soft:
            sums = torch.zeros(rows, c, dtype=torch.float64, device=self.device)
            sumsq = torch.zeros(rows, c, dtype=torch.float64, device=self.device)
        kept: list[list[torch.Tensor]] | None = [[] for _ in jobs] if self.keep_samples else None
        tuner, sync = self.tuner, self.device.type == "cuda"
        cursor = _Cursor()
        while cursor.chunk < len(plan):
            B = tuner.next() if tuner is not None else self.batch_size
            assert B is not None
            timing = tuner is not None and tuner.chosen is None
            t0 = time.perf_counter() if timing else 0.0
            buf = self._fill_buffer()
            pos, row_ids, row_lens = self._draw(buf, B, plan, cursor, xs, gens)
            probs = self._count(self._to_device(buf, pos), row_ids, row_lens, counts, sums, sumsq)
            if kept is not None and probs is not None:
                at = 0
                for row, length in zip(row_ids, row_lens, strict=True):
                    if row % 2 == 1:  # estimation rows only, in each input's own sampling order
                        kept[row // 2].append(probs[at : at + length])
                    at += length
            if timing:
                assert tuner is not None
                if sync:
                    torch.cuda.synchronize(self.device)
                tuner.record(B, pos, time.perf_counter() - t0)
            if on_batch is not None:
                on_batch(pos)
        host = counts.view(rows, c).cpu().tolist()
        hs = sums.cpu().tolist() if sums is not None else None
        hq = sumsq.cpu().tolist() if sumsq is not None else None
        out = []
        for s, j in enumerate(jobs):
            out.append(
                SampleResult(
                    selection_counts=host[2 * s] if j.n0 > 0 else None,
                    counts=host[2 * s + 1],
                    score_sum=hs[2 * s + 1] if hs is not None else None,
                    score_sumsq=hq[2 * s + 1] if hq is not None else None,
                    samples=self._host_samples(kept[s], j.n) if kept is not None else None,
                )
            )
        return out

    def _draw(
        self, buf: torch.Tensor, B: int, plan: list[tuple[int, int, int]], cur: _Cursor, xs: torch.Tensor,
        gens: list[torch.Generator],
    ) -> tuple[int, list[int], list[int]]:  # fmt: skip
        """Fill ``buf`` with up to ``B`` samples, continuing the plan at ``cur``: whole chunks where they fit,
        a straddling chunk drawn once into the side buffer and copied piecewise (the same samples either
        way). Returns the samples drawn and each row's (row id, length) in batch order."""
        pos = 0
        row_ids: list[int] = []
        row_lens: list[int] = []
        while pos < B and cur.chunk < len(plan):
            row, slot, size = plan[cur.chunk]
            if cur.offset == 0 and size <= B - pos:
                self.noise.draw(buf[pos : pos + size], xs[slot], gens[slot])
                take = size
            else:
                if cur.offset == 0:
                    cur.side = self._side[:size]
                    self.noise.draw(cur.side, xs[slot], gens[slot])
                assert cur.side is not None
                take = min(size - cur.offset, B - pos)
                buf[pos : pos + take].copy_(cur.side[cur.offset : cur.offset + take])
            if not row_ids or row_ids[-1] != row:
                row_ids.append(row)
                row_lens.append(take)
            else:
                row_lens[-1] += take
            pos += take
            cur.offset += take
            if cur.offset == size:
                cur.chunk, cur.offset, cur.side = cur.chunk + 1, 0, None
        return pos, row_ids, row_lens

    def _fill_buffer(self) -> torch.Tensor:
        """The buffer to draw the next batch into; a staging buffer only once its last copy has finished."""
        if not self.staged:
            return self._bufs[0]
        event = self._events[self._flip]
        if event is not None:
            event.synchronize()  # type: ignore[attr-defined]
        return self._bufs[self._flip]

    def _to_device(self, buf: torch.Tensor, pos: int) -> torch.Tensor:
        """The first ``pos`` samples of ``buf`` where the model runs (staged: queued copy, buffer flipped)."""
        if not self.staged:
            return buf[:pos]
        out = self._dbuf[:pos]
        out.copy_(buf[:pos], non_blocking=self._pinned)
        if self._pinned:
            event = torch.cuda.Event()
            event.record(torch.cuda.current_stream(self.device))
            self._events[self._flip] = event
        self._flip ^= 1
        return out

    def _host_samples(self, parts: list[torch.Tensor], n: int) -> np.ndarray:
        """(num_classes, n) float64 C-order array of the kept scores (exact copies of the float64 probs)."""
        arr = torch.cat(parts).cpu().numpy() if parts else np.zeros((0, self.num_classes))
        if arr.shape != (n, self.num_classes):
            raise RuntimeError(f"kept {arr.shape[0]} per-sample scores, expected n={n}")
        return np.ascontiguousarray(arr.T, dtype="<f8")

    def _count(
        self,
        batch: torch.Tensor,
        row_ids: list[int],
        row_lens: list[int],
        counts: torch.Tensor,
        sums: torch.Tensor | None,
        sumsq: torch.Tensor | None,
    ) -> torch.Tensor | None:
        """Count labels (and accumulate soft sums); returns the float64 softmax scores in soft mode."""
        m = batch.shape[0]
        logits = self.model(batch if self.dtype == torch.float32 else batch.to(self.dtype))
        if logits.ndim != 2 or logits.shape != (m, self.num_classes):
            raise ValueError(
                f"model output has shape {list(logits.shape)}, expected [{m}, {self.num_classes}]"
            )
        labels = logits.argmax(1)
        c = self.num_classes
        if len(row_ids) == 1 and sums is None:
            labels.add_(row_ids[0] * c)
        else:
            ridx = self._offsets[:m]
            pos = 0
            for row, length in zip(row_ids, row_lens, strict=True):
                ridx[pos : pos + length].fill_(row)
                pos += length
            labels.add_(ridx * c)
        counts.index_add_(0, labels, self._ones[:m])
        if sums is not None and sumsq is not None:
            # index_add_ adds each sample in order (on CPU), so the float64 sums do not depend on packing
            probs = logits.float().softmax(1).double().clamp_(0.0, 1.0)
            ridx = self._offsets[:m]
            sums.index_add_(0, ridx, probs)
            sumsq.index_add_(0, ridx, probs * probs)
            return probs
        return None
