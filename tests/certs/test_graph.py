"""The execution graph: optimised TorchScript is probe-checked, recorded, and gives replayable counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from audit.errors import ModelLoadError, UsageError
from audit.format import load_certificate
from audit.verify.pipeline import VerifyOptions, verify_file
from certs.certify import CertifyOptions, certify, choose_graph
from certs.data import load_data
from certs.graph import prepare_graph
from certs.models import load_model
from certs.noise import NoiseSpec
from certs.sampler import Job, Sampler, seed_for

DEMO = Path(__file__).resolve().parents[2] / "cases" / "demo"
WEIGHTS = DEMO / "demo_cnn.safetensors"
TEST_DATA = DEMO / "digits-test.npz"
BUILDER = "certs.demo_model:build"
SIGMA = NoiseSpec("gaussian", sigma="0.25")


def _probe(shape: tuple[int, ...], m: int = 64) -> torch.Tensor:
    return torch.rand((m, *shape), generator=torch.Generator().manual_seed(1))


class Branchy(nn.Module):
    """Takes a data-dependent branch: a trace bakes in the branch of its example batch."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(64, 10)
        self.b = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.flatten(1)
        return self.a(h) if float(h.mean()) > 0.5 else self.b(h)


class FixedBatch(nn.Module):
    """Turns the batch size into a Python int: a trace bakes in the example's batch size."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.reshape(int(x.shape[0]), 64))


def test_auto_optimises_the_demo_model_and_keeps_its_labels(demo_model) -> None:
    probe = _probe((1, 8, 8))
    choice = prepare_graph(demo_model, probe, "auto")
    assert choice.graph == "torchscript-optimized" and choice.note is None
    gen = torch.Generator().manual_seed(2)
    x = torch.rand((1, 1, 8, 8)) + 0.25 * torch.randn((3000, 1, 8, 8), generator=gen)
    with torch.inference_mode():
        want, got = demo_model(x), choice.model(x)
    assert torch.equal(want.argmax(1), got.argmax(1))
    assert float((want - got).abs().max()) < 1e-4


def test_eager_mode_is_the_module_itself(demo_model) -> None:
    choice = prepare_graph(demo_model, _probe((1, 8, 8)), "eager")
    assert choice.model is demo_model and choice.record() == {"graph": "eager"}


@pytest.mark.parametrize("module", [Branchy(), FixedBatch()], ids=["data-dependent-branch", "baked-batch"])
def test_a_wrong_trace_is_refused_by_the_probe(module: nn.Module) -> None:
    module.eval()
    # the probe's two batch sizes see both branches / other batch sizes than the traced one
    probe = torch.cat([torch.zeros((8, 1, 8, 8)), torch.ones((56, 1, 8, 8))])
    choice = prepare_graph(module, probe, "auto")
    assert choice.graph == "eager" and choice.model is module
    assert choice.note is not None and "refused" in choice.note
    with pytest.raises(ModelLoadError, match="probe check"):
        prepare_graph(module, probe, "optimized")


def test_auto_stays_eager_outside_cpu_float32(demo_model) -> None:
    choice = prepare_graph(demo_model, _probe((1, 8, 8)), "auto", dtype=torch.float64)
    assert choice.graph == "eager" and "float32" in (choice.note or "")
    with pytest.raises(UsageError, match="--graph"):
        prepare_graph(demo_model, _probe((1, 8, 8)), "fastest")


def test_optimised_counts_do_not_depend_on_batch_size_and_replay(demo_model) -> None:
    ds = load_data(TEST_DATA)
    choice = choose_graph(
        load_model(WEIGHTS, builder=BUILDER), SIGMA, ds.inputs[0], torch.device("cpu"), torch.float32, "auto"
    )
    assert choice.graph == "torchscript-optimized"
    jobs = [Job(torch.from_numpy(ds.inputs[i]), seed_for(7, i), 30, 470) for i in range(6)]
    runs = []
    for batch in (37, 250, 1000):
        s = Sampler(choice.model, SIGMA, (1, 8, 8), 10, batch_size=batch)
        runs.append([(r.selection_counts, r.counts) for _, rs in s.run(jobs) for r in rs])
    assert runs[0] == runs[1] == runs[2]
    assert any(max(c) < 470 for _, c in runs[0])  # not all trivially unanimous


def test_certificate_records_the_graph_and_resume_refuses_a_different_one(tmp_path: Path, keypair) -> None:
    key, pub = keypair
    kw = {"key": key, "builder": BUILDER, "indices": "0-5"}
    base = {"noise": SIGMA, "n0": 20, "n": 180, "batch_size": 100, "group_samples": 400}
    out = tmp_path / "c.json"
    with pytest.raises(KeyboardInterrupt):
        certify(WEIGHTS, TEST_DATA, CertifyOptions(**base, graph="eager"), out=out, stop_after_groups=1, **kw)
    with pytest.raises(UsageError, match="different"):
        certify(WEIGHTS, TEST_DATA, CertifyOptions(**base, graph="auto"), out=out, resume=True, **kw)
    certify(WEIGHTS, TEST_DATA, CertifyOptions(**base, graph="eager"), out=out, resume=True, **kw)
    pred = load_certificate(out, [pub]).statement["predicate"]
    assert pred["sampler"]["graph"] == "eager"
    opt = tmp_path / "o.json"
    certify(WEIGHTS, TEST_DATA, CertifyOptions(**base), out=opt, **kw)
    assert load_certificate(opt, [pub]).statement["predicate"]["sampler"]["graph"] == "torchscript-optimized"
    assert len(pred["entries"]) == 6
    opts = VerifyOptions(trusted_keys=[pub], model_paths=[str(WEIGHTS)], workers=1)
    assert verify_file(out, opts).passed and verify_file(opt, opts).passed


def test_a_torchscript_archive_is_optimised_without_tracing(tmp_path: Path, demo_model) -> None:
    path = tmp_path / "m.pt"
    torch.jit.save(torch.jit.script(demo_model), str(path))
    loaded = load_model(path)
    assert loaded.kind == "torchscript"
    choice = prepare_graph(loaded.module, _probe((1, 8, 8)), "optimized")
    assert choice.graph == "torchscript-optimized"
    x = torch.rand((200, 1, 8, 8), generator=torch.Generator().manual_seed(3))
    with torch.inference_mode():
        assert torch.equal(choice.model(x).argmax(1), demo_model(x).argmax(1))


def test_deterministic_kernels_sets_and_restores_cudnn_flags() -> None:
    """On a CUDA device the block runs with cuDNN deterministic and no autotuning; flags come back after."""
    from certs.graph import deterministic_kernels

    cudnn = torch.backends.cudnn
    cudnn.deterministic, cudnn.benchmark = False, True
    try:
        with deterministic_kernels(torch.device("cpu")) as record:
            assert record == {} and (cudnn.deterministic, cudnn.benchmark) == (False, True)
        with deterministic_kernels(torch.device("cuda")) as record:  # flags only: no GPU needed
            assert "deterministic=True" in record["cudnn"]
            assert (cudnn.deterministic, cudnn.benchmark) == (True, False)
        assert (cudnn.deterministic, cudnn.benchmark) == (False, True)
    finally:
        cudnn.deterministic, cudnn.benchmark = False, False
