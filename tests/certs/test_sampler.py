"""Sampler: counts independent of batch size and packing, exact replay, and coverage with a known p."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from audit import theory
from certs.data import load_data
from certs.noise import NoiseSpec
from certs.sampler import Job, Sampler, SamplerConfig, seed_for

TEST_DATA = Path(__file__).resolve().parents[2] / "cases" / "demo" / "digits-test.npz"


def _jobs(n0: int, n: int, count: int = 7) -> list[Job]:
    ds = load_data(TEST_DATA)
    return [Job(torch.from_numpy(ds.inputs[i]), seed_for(0, i), n0, n) for i in range(count)]


def _run(model, jobs, *, batch, chunk=100, pack=True, soft=False, noise=None, group=50_000):
    s = Sampler(
        model,
        noise or NoiseSpec("gaussian", sigma="0.5"),
        (1, 8, 8),
        10,
        SamplerConfig(batch_size=batch, chunk_size=chunk, soft=soft),
    )
    return [r for _, rs in s.run(jobs, pack=pack, group_samples=group) for r in rs]


def test_packing_and_batch_size_do_not_change_counts(demo_model: nn.Module) -> None:
    jobs = _jobs(30, 250)  # chunks of 100: 30 | 100 100 50 — several straddle batch boundaries
    reference = _run(demo_model, jobs, batch=100, pack=False)
    assert all(sum(r.counts) == 250 and sum(r.selection_counts or []) == 30 for r in reference)
    assert len({tuple(r.counts) for r in reference}) > 1  # different inputs, different evidence
    assert any(max(r.counts) < 250 for r in reference)  # the noise actually flips some labels
    for batch, pack, group in ((100, True, 50_000), (37, True, 50_000), (1000, True, 600), (64, False, 1)):
        assert _run(demo_model, jobs, batch=batch, pack=pack, group=group) == reference, (batch, pack)


def test_staged_noise_gives_the_same_evidence(demo_model: nn.Module) -> None:
    """The staging path (CPU generators feeding a model on another device) copies samples, never changes them.

    On this CPU-only test machine both ends are the CPU; ``staged=True`` forces the double-buffered path a
    CUDA model device takes, so the buffer alternation and chunk bookkeeping are exercised here.
    """
    jobs = _jobs(30, 250, count=5)
    noise = NoiseSpec("gaussian", sigma="0.5")
    reference = _run(demo_model, jobs, batch=100)
    for batch, soft in ((37, False), (1000, False), (64, True)):
        s = Sampler(demo_model, noise, (1, 8, 8), 10, SamplerConfig(batch_size=batch, soft=soft, staged=True))
        assert s.staged and len(s._bufs) == 2
        got = [r for _, rs in s.run(jobs, group_samples=400) for r in rs]
        if soft:
            assert got == _run(demo_model, jobs, batch=100, soft=True)
        else:
            assert got == reference, batch
    assert not Sampler(
        demo_model, noise, (1, 8, 8), 10, SamplerConfig(batch_size=8)
    ).staged  # same device: no staging


def test_soft_sums_independent_of_packing(demo_model: nn.Module) -> None:
    jobs = _jobs(0, 150, count=4)
    a = _run(demo_model, jobs, batch=150, pack=False, soft=True)
    b = _run(demo_model, jobs, batch=64, pack=True, soft=True)
    assert a == b
    for r in a:
        assert r.selection_counts is None
        # Each float32 softmax row sums to one within (c + 3) units of float32 rounding (u = 2**-24: c - 1
        # additions in the normaliser, exp, division, cast); the float64 accumulation adds far less.
        c = len(r.score_sum)
        assert abs(sum(r.score_sum) - 150) <= 150 * (c + 3) * 2.0**-24
        assert all(q <= s + 1e-12 for s, q in zip(r.score_sum, r.score_sumsq, strict=True))


def test_replay_from_seed_reproduces_the_noise_the_sampler_used() -> None:
    """A recording model sees exactly the samples that a by-hand replay of the documented stream draws."""
    seen: list[torch.Tensor] = []

    def model(batch: torch.Tensor) -> torch.Tensor:
        seen.append(batch.clone())
        return torch.zeros(batch.shape[0], 10)

    x = torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(1))
    spec = NoiseSpec("gaussian", sigma="0.25")
    job = Job(x, 12345, 30, 130)
    Sampler(model, spec, (1, 8, 8), 10, SamplerConfig(batch_size=45, chunk_size=50)).run_group([job])
    got = torch.cat(seen)
    gen = torch.Generator().manual_seed(12345)
    parts = []
    for m in (30, 50, 50, 30):  # selection (30), then estimation in chunks of 50
        out = torch.empty(m, 1, 8, 8)
        spec.draw(out, x, gen)
        parts.append(out)
    assert torch.equal(got, torch.cat(parts))
    assert float((got - x).std()) == pytest.approx(0.25, rel=0.1)


class Threshold(nn.Module):
    """Label 0 iff the first coordinate of the (noisy) input is below t: P(label 0 at x=0) = F(t)."""

    def __init__(self, t: float) -> None:
        super().__init__()
        self.t = t

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        u = z.reshape(z.shape[0], -1)[:, :1] - self.t
        return torch.cat([-u, u], dim=1)


@pytest.mark.parametrize("family", ["gaussian", "laplace"])
def test_counts_are_binomial_with_the_true_p(family: str) -> None:
    """Pooled counts of label 0 match Binomial(N, p) with the analytic p of the noise family."""
    t = 0.2
    spec = NoiseSpec("gaussian", sigma="0.5") if family == "gaussian" else NoiseSpec("laplace", lam="0.5")
    p = stats.norm.cdf(t / 0.5) if family == "gaussian" else 1 - 0.5 * math.exp(-t / 0.5)
    jobs = [Job(torch.zeros(1, 2, 2), seed_for(7, i), 0, 2000) for i in range(20)]
    s = Sampler(Threshold(t), spec, (1, 2, 2), 2, SamplerConfig(batch_size=1000))
    k = sum(r.counts[0] for _, rs in s.run(jobs) for r in rs)
    N = 20 * 2000
    assert abs(k - N * p) < 5 * math.sqrt(N * p * (1 - p))


@pytest.mark.parametrize("family", ["gaussian", "laplace"])
def test_certified_radius_coverage_at_known_p(family: str) -> None:
    """With a tight-radius base classifier (true radius = t), claims above t happen at rate <= alpha.

    alpha = 0.1, 300 inputs of n = 100 each: failures must stay below alpha*m + 3 sd (= 46).
    """
    t, alpha, m = 0.2, "0.1", 300
    if family == "gaussian":
        spec = NoiseSpec("gaussian", sigma="0.5")
        method = {"family": "gaussian", "radius_method": "cohen", "sigma": "0.5"}
    else:
        spec = NoiseSpec("laplace", lam="0.5")
        method = {"family": "laplace", "radius_method": "laplace-binary", "lam": "0.5"}
    cs = theory.CertificationSpec(**method, interval="cp", alpha=alpha, num_classes=2)
    jobs = [Job(torch.zeros(1, 2, 2), seed_for(11, i), 0, 100) for i in range(m)]
    s = Sampler(Threshold(t), spec, (1, 2, 2), 2, SamplerConfig(batch_size=2000))
    radii = []
    for _, rs in s.run(jobs):
        for r in rs:
            d = theory.derive(cs, theory.Evidence(label=0, n=100, counts=tuple(r.counts)), theory.FLOAT)
            radii.append(0.0 if d.radius is None else float(d.radius))
    fails = sum(r > t for r in radii)
    assert fails <= 0.1 * m + 3 * math.sqrt(m * 0.1 * 0.9)
    assert np.mean(radii) > 0.05  # not vacuous: most inputs get a positive radius


def test_seed_for_is_stable_and_distinct() -> None:
    assert seed_for(0, 17) == seed_for(0, 17)
    assert len({seed_for(b, i) for b in range(3) for i in range(100)}) == 300
    assert all(0 <= seed_for(5, i) < 2**63 for i in range(10))
