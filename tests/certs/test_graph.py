"""The execution graph: optimised TorchScript is probe-checked, recorded, and gives replayable counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from audit.errors import ModelLoadError, UsageError
from audit.format import load_certificate
from audit.verify.pipeline import VerifyOptions, verify_file
from certs import graph as graph_module
from certs.certify import CertifyOptions, certify, choose_graph
from certs.data import load_data
from certs.graph import GRAPHS, OneDNNFused, prepare_graph
from certs.models import load_model
from certs.noise import NoiseSpec
from certs.sampler import Job, Sampler, SamplerConfig, seed_for

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


@pytest.mark.parametrize("mode", ["auto", "optimized", "fused"])
def test_graphs_of_the_demo_model_keep_its_labels(demo_model, mode: str) -> None:
    probe = _probe((1, 8, 8))
    choice = prepare_graph(demo_model, probe, mode)
    assert choice.graph == GRAPHS[mode] if mode != "auto" else choice.graph in GRAPHS.values()
    gen = torch.Generator().manual_seed(2)
    x = torch.rand((1, 1, 8, 8)) + 0.25 * torch.randn((3000, 1, 8, 8), generator=gen)
    with torch.inference_mode():
        want, got = demo_model(x), choice.model(x)
    assert torch.equal(want.argmax(1), got.argmax(1))
    assert float((want - got).abs().max()) < 1e-4
    assert not torch.jit.onednn_fusion_enabled()  # the fused graph switches fusion on per call only


def test_auto_runs_the_faster_checked_graph_and_records_the_timing(demo_model, monkeypatch) -> None:
    """Both TorchScript graphs pass the probe check; auto runs whichever the probe timing says is faster."""
    for fast in ("optimized", "fused"):

        def rate(model, probe, fast=fast, allowance=None, **_) -> float:
            return 2000.0 if isinstance(model, OneDNNFused) == (fast == "fused") else 1000.0

        monkeypatch.setattr(graph_module, "probe_rate", rate)
        choice = prepare_graph(demo_model, _probe((1, 8, 8)), "auto")
        assert choice.graph == GRAPHS[fast]
        assert choice.note == (
            f"auto: best rows/s on the probe rows: {GRAPHS[fast]} 2,000, "
            f"{GRAPHS['fused' if fast == 'optimized' else 'optimized']} 1,000"
        )


def test_probe_rate_measures_rows_per_second_and_grows_only_for_cheap_calls() -> None:
    seen: list[int] = []

    def model(x: torch.Tensor) -> torch.Tensor:
        seen.append(int(x.shape[0]))
        return x.flatten(1)[:, :10]

    rate = graph_module.probe_rate(model, _probe((1, 8, 8), 50), calls=2, warmup=1, max_rows=800, factor=4)
    assert 100 < rate < 1e12
    assert sorted(set(seen)) == [50, 200, 800] and seen.count(800) == 3  # 1 warm-up + 2 timed calls
    seen.clear()
    graph_module.probe_rate(model, _probe((1, 8, 8), 50), calls=2, warmup=1, cheap_s=0.0)
    assert set(seen) == {50}  # every call counts as expensive: the probe size only
    seen.clear()
    graph_module.probe_rate(model, _probe((1, 8, 8), 50), calls=2, warmup=1, allowance=150 + 2399)
    assert sorted(set(seen)) == [50]  # 800 rows (the default factor 16) × 3 calls would exceed it
    seen.clear()
    graph_module.probe_rate(model, _probe((1, 8, 8), 100), calls=2, warmup=1, allowance=300 + 4800)
    assert sorted(set(seen)) == [100, 1600] and seen.count(1600) == 3


def test_auto_skips_the_timing_when_the_run_is_too_short(demo_model, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(
        graph_module, "probe_rate", lambda m, p, allowance=None, **_: calls.append(allowance) or 1.0
    )
    choice = prepare_graph(demo_model, _probe((1, 8, 8), 100), "auto", workload=19_999)
    assert choice.graph == GRAPHS["optimized"] and "too short" in (choice.note or "")
    assert calls == []
    prepare_graph(demo_model, _probe((1, 8, 8), 100), "auto", workload=20 * 2 * 500)
    assert calls == [500, 500]  # each graph may evaluate workload / 20 / 2 rows


def test_comparison_is_affordable_only_within_a_twentieth_of_the_estimated_run() -> None:
    """Cost = timing the optimised graph + building the fused one (as long as the optimised build) + timing
    it (twice as long); the run's time = workload / rate. Figures from the demo CNN on a 2-core VM."""
    ok, note = graph_module.comparison_affordable(0.015, 0.025, 300_000.0, 300_000)
    assert not ok  # 0.025 + 0.015 + 0.05 = 0.09 s > 1 s / 20
    assert "0.09 s" in note and "estimated 1 s" in note and note.startswith("auto: torchscript-optimized")
    assert graph_module.comparison_affordable(0.015, 0.025, 300_000.0, 2_000_000)[0]  # 0.09 <= 6.67 / 20
    assert not graph_module.comparison_affordable(0.015, 0.025, 300_000.0, 535_000)[0]  # 0.0892 < 0.09
    assert graph_module.comparison_affordable(0.015, 0.025, 300_000.0, 545_000)[0]  # 0.0908 >= 0.09
    assert graph_module.comparison_affordable(0.3, 0.2, 2_400.0, 50_000)[0]  # ResNet-20: 0.9 <= 20.8 / 20
    assert graph_module.comparison_affordable(1.0, 1.0, 1.0, None)[0]  # no workload: always compare


def test_auto_keeps_the_optimised_graph_when_the_comparison_would_not_pay(demo_model, monkeypatch) -> None:
    timed: list[type] = []

    def rate(model, probe, allowance=None, **_) -> float:
        timed.append(type(model))
        return 1e12  # so fast that the run is over long before the fused graph could be timed

    monkeypatch.setattr(graph_module, "probe_rate", rate)
    choice = prepare_graph(demo_model, _probe((1, 8, 8), 100), "auto", workload=20 * 2 * 500)
    assert choice.graph == GRAPHS["optimized"] and len(timed) == 1 and timed[0] is not OneDNNFused
    assert "comparing it with the fused graph would take" in (choice.note or "")


@pytest.mark.parametrize("rows_per_s", [1e9, 1.0], ids=["cheap", "expensive"])
def test_auto_times_the_probe_size_first_and_grows_only_for_a_cheap_model(
    demo_model, monkeypatch, rows_per_s: float
) -> None:
    """The probe-size timing decides whether the comparison fits; a cheap model's optimised graph is
    then timed in full (larger sizes too), an expensive one's probe-size timing is reused."""
    calls: list[tuple[bool, dict]] = []

    def rate(model, probe, **kw) -> float:
        calls.append((isinstance(model, OneDNNFused), kw))
        return rows_per_s

    monkeypatch.setattr(graph_module, "probe_rate", rate)
    prepare_graph(demo_model, _probe((1, 8, 8), 100), "auto")
    fused_flags = [is_fused for is_fused, _ in calls]
    assert fused_flags == ([False, False, True] if rows_per_s > 1 else [False, True])
    assert calls[0][1].get("cheap_s") == 0.0 and all("cheap_s" not in kw for _, kw in calls[1:])


class CountingCNN(nn.Module):
    """Records the batch size of every Python-level forward call (a trace calls it once)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(64, 10)
        self.seen: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(int(x.shape[0]))
        return self.fc(x.flatten(1))


def test_auto_traces_once_and_runs_eager_once_per_probe_size(monkeypatch) -> None:
    """Both graphs come from one trace and are checked against one eager pass per probe size."""
    monkeypatch.setattr(graph_module, "probe_rate", lambda m, p, allowance=None, **_: 1.0)
    module = CountingCNN().eval()
    choice = prepare_graph(module, _probe((1, 8, 8), 100), "auto")
    assert choice.graph in (GRAPHS["optimized"], GRAPHS["fused"]) and "best rows/s" in (choice.note or "")
    assert module.seen == [8, 50, 100]  # the trace (TRACE_BATCH rows), then the probe check's two sizes


class DictOutput(nn.Module):
    """Returns a dict: ``torch.jit.trace`` refuses it (strict mode)."""

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"logits": x.flatten(1)[:, :10]}


def test_auto_falls_back_to_eager_when_the_module_cannot_be_traced() -> None:
    choice = prepare_graph(DictOutput().eval(), _probe((1, 8, 8), 100), "auto")
    assert choice.graph == "eager" and "tracing or the eager probe run failed" in (choice.note or "")


def test_fused_graph_is_cpu_only_and_restores_the_fusion_switch(demo_model) -> None:
    with pytest.raises(UsageError, match="CPU model only"):
        prepare_graph(demo_model, torch.empty((64, 1, 8, 8), device="meta"), "fused")
    fused = graph_module.fuse(demo_model, _probe((1, 8, 8), 8))
    torch.jit.enable_onednn_fusion(True)
    try:
        with torch.inference_mode():
            fused(_probe((1, 8, 8), 5))
        assert torch.jit.onednn_fusion_enabled()
    finally:
        torch.jit.enable_onednn_fusion(False)
    with torch.inference_mode():
        fused(_probe((1, 8, 8), 5))
    assert not torch.jit.onednn_fusion_enabled()


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
    assert choice.note is not None and "optimized refused" in choice.note and "fused refused" in choice.note
    for mode in ("optimized", "fused"):
        with pytest.raises(ModelLoadError, match="probe check"):
            prepare_graph(module, probe, mode)


def test_fused_executor_freezes_a_copy_per_batch_size_and_pads_smaller_batches(demo_model) -> None:
    """One frozen copy of the trace per batch size; smaller batches are zero-padded to a compiled size, larger
    ones split once MAX_SHAPES copies exist; the logits match eager ones throughout."""
    fused = graph_module.fuse(demo_model, _probe((1, 8, 8), 8))
    x = _probe((1, 8, 8), 137)
    with torch.inference_mode():
        want = demo_model(x)
        for size in (50, 30, 1, 137):  # 30 and 1: padded to 50; 137: its own copy
            got = fused(x[:size])
            assert got.shape == (size, 10)
            assert float((got - want[:size]).abs().max()) < 1e-4
            assert torch.equal(got.argmax(1), want[:size].argmax(1))
    assert sorted(fused.graphs) == [50, 137]
    assert fused.graphs[50] is not fused.graphs[137]
    fused.MAX_SHAPES = 2
    y = _probe((1, 8, 8), 300)
    with torch.inference_mode():  # no third copy: 300 rows run as 137 + 137 + 26 (padded to 50)
        assert float((fused(y) - demo_model(y)).abs().max()) < 1e-4
    assert sorted(fused.graphs) == [50, 137]


def test_auto_stays_eager_outside_cpu_float32(demo_model) -> None:
    choice = prepare_graph(demo_model, _probe((1, 8, 8)), "auto", dtype=torch.float64)
    assert choice.graph == "eager" and "float32" in (choice.note or "")
    with pytest.raises(UsageError, match="--graph"):
        prepare_graph(demo_model, _probe((1, 8, 8)), "fastest")


@pytest.mark.parametrize("mode", ["optimized", "fused"])
def test_graph_counts_do_not_depend_on_batch_size_and_replay(demo_model, mode: str) -> None:
    ds = load_data(TEST_DATA)
    choice = choose_graph(
        load_model(WEIGHTS, builder=BUILDER), SIGMA, ds.inputs[0], torch.device("cpu"), torch.float32, mode
    )
    assert choice.graph == GRAPHS[mode]
    jobs = [Job(torch.from_numpy(ds.inputs[i]), seed_for(7, i), 30, 470) for i in range(6)]
    runs = []
    for batch in (37, 250, 1000):
        s = Sampler(choice.model, SIGMA, (1, 8, 8), 10, SamplerConfig(batch_size=batch))
        runs.append([(r.selection_counts, r.counts) for _, rs in s.run(jobs) for r in rs])
    assert runs[0] == runs[1] == runs[2]
    assert any(max(c) < 470 for _, c in runs[0])  # not all trivially unanimous


def test_certificate_records_the_graph_and_resume_refuses_a_different_one(
    tmp_path: Path, keypair, interrupt_after
) -> None:
    key, pub = keypair
    kw = {"key": key, "builder": BUILDER, "indices": "0-5"}
    base = {"noise": SIGMA, "n0": 20, "n": 180, "batch_size": 100, "group_samples": 400}
    out = tmp_path / "c.json"
    with pytest.raises(KeyboardInterrupt):
        certify(
            WEIGHTS,
            TEST_DATA,
            CertifyOptions(**base, graph="eager"),
            out=out,
            progress=interrupt_after(1),
            **kw,
        )
    with pytest.raises(UsageError, match="different"):
        certify(WEIGHTS, TEST_DATA, CertifyOptions(**base, graph="optimized"), out=out, resume=True, **kw)
    certify(WEIGHTS, TEST_DATA, CertifyOptions(**base, graph="auto"), out=out, resume=True, **kw)
    pred = load_certificate(out, [pub]).predicate
    assert pred.sampler.graph == "eager"
    assert len(pred.entries) == 6
    opts = VerifyOptions(trusted_keys=[pub], model_paths=[str(WEIGHTS)], workers=1)
    assert verify_file(out, opts).passed
    for mode in ("optimized", "fused"):
        opt = tmp_path / f"{mode}.json"
        certify(WEIGHTS, TEST_DATA, CertifyOptions(**base, graph=mode), out=opt, **kw)
        assert load_certificate(opt, [pub]).predicate.sampler.graph == GRAPHS[mode]
        assert verify_file(opt, opts).passed


def test_auto_resume_reuses_the_graph_of_the_partial_run(
    tmp_path: Path, keypair, monkeypatch, interrupt_after
) -> None:
    """auto's choice is timed, so a resumed run takes the graph the partial run recorded, not a new timing."""
    key, pub = keypair
    kw = {"key": key, "builder": BUILDER, "indices": "0-5"}
    opts = CertifyOptions(noise=SIGMA, n0=20, n=180, batch_size=100, group_samples=400)
    out = tmp_path / "c.json"

    def favour(kind: type) -> None:
        monkeypatch.setattr(
            graph_module,
            "probe_rate",
            lambda model, probe, allowance=None, **_: 2.0 if isinstance(model, kind) else 1.0,
        )

    monkeypatch.setattr(graph_module, "COMPARE_SHARE", 1)  # time the graphs even in this short run
    favour(OneDNNFused)
    with pytest.raises(KeyboardInterrupt):
        certify(WEIGHTS, TEST_DATA, opts, out=out, progress=interrupt_after(1), **kw)
    favour(torch.jit.ScriptModule)  # a fresh timing would now pick the optimised graph
    certify(WEIGHTS, TEST_DATA, opts, out=out, resume=True, **kw)
    pred = load_certificate(out, [pub]).predicate
    assert pred.sampler.graph == GRAPHS["fused"] and len(pred.entries) == 6


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
