"""Noise statistics per family (fixed seeds) and the stream contract that makes packing exact."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from audit.errors import UsageError
from certs.noise import NoiseSpec

X = torch.zeros(1, 8, 8)


def _draw(spec: NoiseSpec, m: int, seed: int = 0) -> torch.Tensor:
    out = torch.empty(m, *spec.model_shape((1, 8, 8)))
    spec.draw(out, X, torch.Generator().manual_seed(seed))
    return out


def test_gaussian_mean_and_variance() -> None:
    z = _draw(NoiseSpec("gaussian", sigma="0.25"), 20000).double().flatten()
    n = z.numel()  # 1.28e6 coordinates: std error of the mean 0.25/sqrt(n) = 2.2e-4
    assert abs(float(z.mean())) < 5 * 0.25 / math.sqrt(n)
    assert abs(float(z.var()) - 0.0625) < 5 * 0.0625 * math.sqrt(2 / n)
    # shape: Kolmogorov-Smirnov against N(0, 0.25^2) on a subsample
    assert stats.kstest(z[:20000].numpy(), "norm", args=(0, 0.25)).pvalue > 1e-3


def test_laplace_mean_variance_and_l1_scale() -> None:
    lam = 0.5
    z = _draw(NoiseSpec("laplace", lam=str(lam)), 20000).double().flatten()
    n = z.numel()
    assert abs(float(z.mean())) < 5 * math.sqrt(2) * lam / math.sqrt(n)
    assert abs(float(z.var()) - 2 * lam**2) < 5 * math.sqrt(20 * lam**4 / n)  # Var(z^2) = 24λ⁴ - 4λ⁴
    assert abs(float(z.abs().mean()) - lam) < 5 * lam / math.sqrt(n)  # E|z| = λ, sd λ
    assert stats.kstest(z[:20000].numpy(), "laplace", args=(0, lam)).pvalue > 1e-3


def test_ablation_keeps_exactly_e_pixels_uniformly_with_mask_channel() -> None:
    keep, m = 12, 20000
    x = torch.arange(64, dtype=torch.float32).view(1, 8, 8) / 64 + 0.01
    spec = NoiseSpec("ablation", keep=keep)
    out = torch.empty(m, 2, 8, 8)
    spec.draw(out, x, torch.Generator().manual_seed(3))
    mask = out[:, 1].reshape(m, 64)
    assert set(torch.unique(mask).tolist()) == {0.0, 1.0}
    assert bool((mask.sum(1) == keep).all())
    values = out[:, 0].reshape(m, 64)
    assert torch.equal(values, x.reshape(1, 64) * mask)  # kept pixels carry x, ablated ones 0
    freq = mask.double().mean(0).numpy()  # each pixel kept with probability e/d = 0.1875
    p = keep / 64
    assert np.abs(freq - p).max() < 5 * math.sqrt(p * (1 - p) / m)
    counts = mask.sum(0).numpy()
    assert stats.chisquare(counts).pvalue > 1e-3


def test_ablation_pairs_are_uniform_without_replacement() -> None:
    """P(i and j both kept) = e(e-1)/(d(d-1)) for every pair, as for a uniform e-subset."""
    keep, m = 12, 40000
    out = torch.empty(m, 2, 8, 8)
    NoiseSpec("ablation", keep=keep).draw(out, X, torch.Generator().manual_seed(4))
    mask = out[:, 1].reshape(m, 64).double()
    pair = float((mask[:, 0] * mask[:, 63]).mean())
    q = keep * (keep - 1) / (64 * 63)
    assert abs(pair - q) < 5 * math.sqrt(q * (1 - q) / m)


@pytest.mark.parametrize(
    "spec",
    [NoiseSpec("gaussian", sigma="0.3"), NoiseSpec("laplace", lam="0.2"), NoiseSpec("ablation", keep=5)],
)
def test_draw_depends_only_on_generator_and_count_not_on_buffer_position(spec: NoiseSpec) -> None:
    shape = spec.model_shape((1, 8, 8))
    direct = torch.empty(100, *shape)
    spec.draw(direct, X, torch.Generator().manual_seed(9))
    big = torch.full((300, *shape), 7.0)
    spec.draw(big[150:250], X, torch.Generator().manual_seed(9))
    assert torch.equal(direct, big[150:250])
    other = torch.empty(100, *shape)
    spec.draw(other, X, torch.Generator().manual_seed(10))
    assert not torch.equal(direct, other)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"family": "gaussian"},
        {"family": "gaussian", "sigma": "-1"},
        {"family": "gaussian", "sigma": "nan"},
        {"family": "laplace", "lam": "abc"},
        {"family": "ablation", "keep": 0},
        {"family": "uniform", "sigma": "1"},
    ],
)
def test_bad_noise_parameters_are_usage_errors(kwargs: dict) -> None:
    with pytest.raises(UsageError):
        NoiseSpec(**kwargs)


def test_keep_larger_than_pixels_is_refused() -> None:
    with pytest.raises(UsageError, match="exceeds"):
        NoiseSpec("ablation", keep=65).dimension((1, 8, 8))
