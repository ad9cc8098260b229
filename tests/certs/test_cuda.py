"""The sampler on a CUDA device: skipped where torch sees no GPU (CI never has one).

Run on a GPU machine with ``python -m pytest -q tests/certs/test_cuda.py``. What these pin down:

- with CPU generators (the default ``rng_device``), the samples a CUDA model sees are bit for bit the
  samples the CPU sampler draws from the same seeds (the staged, double-buffered copy moves bytes only);
- counts on CUDA do not depend on batch size or packing, and two runs give the same counts;
- counts of a CUDA run agree with a CPU run of the same seeds except at near-ties of the logits;
- ``rng_device="cuda"`` (Philox) is deterministic too;
- ``certify --device cuda`` writes a certificate that ``audit verify`` passes.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from torch import nn

from certs.data import load_data
from certs.noise import NoiseSpec
from certs.sampler import Job, Sampler, SamplerConfig, seed_for

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "cases" / "demo" / "digits-test.npz"
NOISE = NoiseSpec("gaussian", sigma="0.5")


def _jobs(count: int = 6, n0: int = 30, n: int = 250) -> list[Job]:
    ds = load_data(DATA)
    return [Job(torch.from_numpy(ds.inputs[i]), seed_for(0, i), n0, n) for i in range(count)]


def _counts(model, device: str, *, batch: int, pack: bool = True, rng: str = "cpu", group: int = 50_000):
    s = Sampler(model, NOISE, (1, 8, 8), 10, SamplerConfig(batch_size=batch, device=device, rng_device=rng))
    return [(r.selection_counts, r.counts) for _, rs in s.run(_jobs(), pack=pack, group_samples=group)
            for r in rs]  # fmt: skip


def _on(model: nn.Module, device: str) -> nn.Module:
    """A copy of the (session-wide) demo model on ``device``; the fixture itself stays on the CPU."""
    return copy.deepcopy(model).to(device)


class Recorder(nn.Module):
    """Wraps a model and keeps a CPU copy of every batch it is given."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach().cpu().clone())
        return self.inner(x)


def test_cuda_model_sees_exactly_the_cpu_stream(demo_model: nn.Module) -> None:
    cpu = Recorder(demo_model)
    gpu = Recorder(_on(demo_model, "cuda"))
    Sampler(cpu, NOISE, (1, 8, 8), 10, SamplerConfig(batch_size=64)).run_group(_jobs())
    s = Sampler(gpu, NOISE, (1, 8, 8), 10, SamplerConfig(batch_size=200, device="cuda"))
    assert s.staged and s.rng_device.type == "cpu"
    s.run_group(_jobs())
    assert torch.equal(torch.cat(cpu.seen), torch.cat(gpu.seen))


def test_cuda_counts_do_not_depend_on_batch_packing_or_run(demo_model: nn.Module) -> None:
    model = _on(demo_model, "cuda")
    reference = _counts(model, "cuda", batch=100, pack=False)
    assert _counts(model, "cuda", batch=100, pack=False) == reference  # a second run
    for batch, pack, group in ((37, True, 50_000), (1000, True, 600), (4096, True, 50_000)):
        assert _counts(model, "cuda", batch=batch, pack=pack, group=group) == reference, batch


def test_cuda_counts_agree_with_a_cpu_replay(demo_model: nn.Module) -> None:
    gpu = _counts(_on(demo_model, "cuda"), "cuda", batch=256)
    cpu = _counts(demo_model, "cpu", batch=256)
    flips = sum(abs(a - b) for (s1, c1), (s2, c2) in zip(gpu, cpu, strict=True)
                for a, b in zip([*s1, *c1], [*s2, *c2], strict=True))  # fmt: skip
    total = sum(sum(s) + sum(c) for s, c in cpu)
    assert flips <= 0.002 * total  # labels differ only where float differences cross a near-tie


def test_philox_generators_are_deterministic(demo_model: nn.Module) -> None:
    model = _on(demo_model, "cuda")
    a = _counts(model, "cuda", batch=128, rng="cuda")
    assert _counts(model, "cuda", batch=333, rng="cuda") == a


def test_certify_on_cuda_verifies(tmp_path: Path, keypair) -> None:
    from audit.verify.pipeline import VerifyOptions, verify_file
    from certs.certify import CertifyOptions, certify

    key, pub = keypair
    weights = ROOT / "cases" / "demo" / "demo_cnn.safetensors"
    opts = CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=50, n=2000, device="cuda")
    out = tmp_path / "cuda.json"
    res = certify(weights, DATA, opts, out=out, key=key, builder="certs.demo_model:build", indices="0-7")
    sampler = res.statement.predicate.sampler
    assert sampler.device_type == "cuda" and sampler.rng_device == "cpu" and isinstance(sampler.cudnn, str)
    report = verify_file(out, VerifyOptions(trusted_keys=[pub], model_paths=[str(weights)], workers=1))
    assert report.passed


def test_a_cuda_certificate_replays_on_cuda_exactly_and_on_cpu_within_float_flips(
    tmp_path: Path, keypair
) -> None:
    from certs.certify import CertifyOptions, certify
    from certs.replay import replay

    key, pub = keypair
    weights = ROOT / "cases" / "demo" / "demo_cnn.safetensors"
    opts = CertifyOptions(
        noise=NoiseSpec("gaussian", sigma="0.25"), n0=50, n=2000, device="cuda", batch_size=512
    )
    out = tmp_path / "cuda.json"
    certify(weights, DATA, opts, out=out, key=key, builder="certs.demo_model:build", indices="0-7")
    same = replay(out, weights, DATA, trusted_keys=[pub], builder="certs.demo_model:build", device="cuda")
    assert [e.status for e in same.entries] == ["match"] * 8
    cpu = replay(out, weights, DATA, trusted_keys=[pub], builder="certs.demo_model:build", tolerance=0.002)
    assert cpu.passed, [(e.status, e.moved) for e in cpu.entries]
