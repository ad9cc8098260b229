"""Batch-size choice on the real workload: successive halving over a ladder of candidate sizes.

Guarantees:

- The tuner only decides *how many samples go into the next batch*; the sampler's counts never depend on it
  (noise depends only on each input's generator and chunk order, see :mod:`certs.sampler`).
- Every candidate first runs one untimed warm-up batch (the first forward at a new shape pays for kernel
  selection and allocation), then timed full batches. A candidate's score is its best rate so far (on a
  shared CPU, interference only slows a batch down, so the maximum is the least disturbed estimate).
- Round ``r`` gives each surviving candidate ``2**r`` timed batches, then keeps the better half (at least
  one). Round 0 climbs the ladder in ascending order and stops climbing once two consecutive candidates score
  below ``CLIMB_DROP`` × the best so far (throughput falls off past the best batch size; the largest sizes
  are also the costliest to try). The climb removes no size it has measured: it only spares the sizes above
  two slow ones, which count as losers of round 0 when that round is halved.
  Exploration stops as soon as one candidate remains or the samples spent exploring reach
  ``explore_fraction`` of the workload; the best-scoring candidate is used from then on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

CLIMB_DROP = 0.85


def ladder(chunk_size: int, max_batch: int, workload: int, *, min_share: int = 32) -> list[int]:
    """Candidates ``chunk·2^k`` (k ≥ −1) up to ``max_batch`` and ``workload / min_share`` (at least one).

    Sizes that are multiples or halves of the chunk keep whole chunks in a batch (no split draws).
    """
    cap = max(1, min(max_batch, workload // min_share))
    out = sorted({max(1, (chunk_size * 2**k) // 2) for k in range(0, 16)})
    keep = [b for b in out if b <= cap]
    return keep or [min(out[0], max(1, min(max_batch, workload)))]


class BatchTuner:
    """Successive halving over ``candidates``; call :meth:`next` before a batch, :meth:`record` after."""

    def __init__(self, candidates: Sequence[int], workload: int, explore_fraction: float = 0.25) -> None:
        if not candidates:
            raise ValueError("no candidate batch sizes")
        self.alive = sorted(set(int(b) for b in candidates))
        self.best_rate: dict[int, float] = {}
        self.warmed: set[int] = set()
        self.budget = max(0.0, explore_fraction) * workload
        self.spent = 0
        self.round = 0
        self._todo: list[int] = []
        self._climbed: list[int] = []  # round-0 candidates in the order they were first scored
        self._skipped = 0  # round-0 candidates the climb never tried (they count as that round's losers)
        self.chosen: int | None = self.alive[0] if len(self.alive) == 1 else None
        self._plan_round()

    def _plan_round(self) -> None:
        reps = 2**self.round
        self._todo = [b for b in self.alive for _ in range(reps + (b not in self.warmed))]

    @property
    def max_batch(self) -> int:
        return max(self.alive)

    def next(self) -> int:
        """The batch size to fill next."""
        if self.chosen is not None:
            return self.chosen
        return self._todo[0]

    def record(self, batch: int, samples: int, seconds: float) -> None:
        """Report a finished batch of ``samples`` (≤ ``batch``) taking ``seconds`` (device-synchronised)."""
        if self.chosen is not None or not self._todo or batch != self._todo[0]:
            return
        if samples < batch:  # a short tail batch measures nothing; try the same size again
            return
        self._todo.pop(0)
        self.spent += samples
        if batch not in self.warmed:
            self.warmed.add(batch)
        elif seconds > 0:
            first = batch not in self.best_rate
            self.best_rate[batch] = max(self.best_rate.get(batch, 0.0), samples / seconds)
            if first and self.round == 0:
                self._climb(batch)
        if self.spent >= self.budget and self.best_rate:
            self.chosen = self.best()
            return
        if not self._todo:
            ranked = sorted(self.alive, key=lambda b: -self.best_rate.get(b, 0.0))
            self.alive = ranked[: max(1, math.ceil((len(ranked) + self._skipped) / 2))]
            self._skipped = 0
            self.round += 1
            if len(self.alive) == 1:
                self.chosen = self.alive[0]
            else:
                self._plan_round()

    def _climb(self, batch: int) -> None:
        """Stop trying larger sizes once the last two first-scored candidates are both well below the best."""
        self._climbed.append(batch)
        if len(self._climbed) < 2:
            return
        top = max(self.best_rate.values())
        if all(self.best_rate[b] < CLIMB_DROP * top for b in self._climbed[-2:]):
            self._todo = [b for b in self._todo if b <= batch]
            self._skipped += sum(b > batch for b in self.alive)
            self.alive = [b for b in self.alive if b <= batch]

    def best(self) -> int:
        """The best-scoring candidate so far (the smallest alive one before any measurement)."""
        if self.chosen is not None:
            return self.chosen
        if not self.best_rate:
            return self.alive[0]
        return max(self.best_rate, key=lambda b: (self.best_rate[b], -b))
