"""scripts/bench_sampler.py: FLOP count, the ceiling re-timing its best pairs, a tiny full row."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch
from torch import nn

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_sampler.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_sampler", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_sampler"] = module
    spec.loader.exec_module(module)
    return module


def test_flop_per_eval_counts_multiply_adds_twice(bench: ModuleType) -> None:
    cpu = torch.device("cpu")
    assert bench.flop_per_eval(nn.Linear(64, 10), (64,), cpu) == 2 * 64 * 10
    # 4 output channels × 8 × 8 positions × (1 input channel × 3 × 3) multiply-adds, no bias counted
    conv = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
    assert bench.flop_per_eval(conv, (1, 8, 8), cpu) == 2 * 4 * 8 * 8 * 9


def test_ceiling_retimes_the_best_pairs_and_keeps_the_fastest_retiming(bench, monkeypatch) -> None:
    """A pair that was lucky in its short search window must not become the ceiling."""
    search = {("lucky", 16): 900.0, ("steady", 64): 800.0, ("steady", 16): 700.0, ("lucky", 64): 100.0}
    retimed = {("lucky", 16): 500.0, ("steady", 64): 790.0, ("steady", 16): 650.0}
    timed_again: list[tuple[str, int]] = []

    def rate(model, x, dev, seconds, evals=0):
        name, b = model
        if evals:
            timed_again.append((name, b))
            return retimed[(name, b)]
        return search[(name, b)]

    monkeypatch.setattr(bench, "_rate", rate)
    monkeypatch.setattr(bench, "SEARCH", (16, 64))
    graphs = {"lucky": lambda b: ("lucky", b), "steady": lambda b: ("steady", b)}
    a, batch, graph, search_max = bench.ceiling(graphs, (1, 2, 2), torch.device("cpu"), 0.0, 10_000)
    assert (a, batch, graph, search_max) == (790.0, 64, "steady", 900.0)
    assert sorted(timed_again) == sorted([("lucky", 16), ("steady", 64), ("steady", 16)])


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


def test_a_tiny_row_runs_all_three_ways(bench: ModuleType, monkeypatch) -> None:
    monkeypatch.setattr(bench, "SEARCH", (16, 64))
    torch.manual_seed(0)
    (row,) = bench.bench_model("tiny", Tiny(), (1, 4, 4), torch.device("cpu"), [50], lambda n: 20 * n, 1, 0.0)
    assert row["inputs"] == 20 and row["flop_per_eval"] == 2 * 16 * 10
    assert all(row[k] > 0 for k in ("a_ceiling", "b_ours", "c_reference"))
    assert row["b_over_a"] == round(row["b_ours"] / row["a_ceiling"], 3)
    assert row["b_graphs"][0] in ("eager", "torchscript-optimized", "torchscript-onednn-fused")
    assert abs(row["gflop_per_s"]["a"] - row["a_ceiling"] * 320 / 1e9) <= 0.051
