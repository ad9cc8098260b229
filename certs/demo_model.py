"""Builders for the bundled demo models (``--model-builder certs.demo_model:build``).

Both are tiny CNNs for 8×8 digit images in [0, 1]: two 3×3 convolutions, a 2×2 max-pool and a linear layer
(about 10k parameters). ``build`` takes 1 channel (Gaussian / Laplace noise); ``build_ablation`` takes the
ablation encoding ``zero+mask-channel`` (2 channels: values, mask).
"""

from __future__ import annotations

from torch import nn


def _cnn(in_channels: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(in_channels, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 10),
    )


def build() -> nn.Module:
    """Demo base classifier for (1, 8, 8) inputs, 10 logits."""
    return _cnn(1)


def build_ablation() -> nn.Module:
    """Demo base classifier for ablated (2, 8, 8) inputs (values, keep-mask), 10 logits."""
    return _cnn(2)
