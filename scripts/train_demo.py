"""Train the bundled demo models on the 8×8 digits (``cases/demo/digits-train.npz``) and ship their weights.

- ``cases/demo/demo_cnn.safetensors``: :func:`certs.demo_model.build`, trained with Gaussian noise
  augmentation σ = 0.25 (pixel units, [0, 1]) on every batch.
- ``cases/demo/demo_cnn_ablation.safetensors``: :func:`certs.demo_model.build_ablation`, trained on the
  ablation encoding (keep ``KEEP`` of 64 pixels, ``zero+mask-channel``).

Reproducible: fixed seeds, one CPU thread, deterministic algorithms; the same torch version gives the same
bytes. Run: ``python scripts/train_demo.py`` (about 30 s on a 2-core CPU). Prints test accuracy under noise.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save
from torch import nn

from audit.format.io import atomic_write
from certs.demo_model import build, build_ablation
from certs.noise import ABLATED_ENCODING, ablate

SIGMA = 0.25
KEEP = 12
EPOCHS = 60
BATCH = 64


def _load(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    with np.load(path, allow_pickle=False) as z:
        return torch.from_numpy(z["inputs"]), torch.from_numpy(z["labels"])


def _augment(x: torch.Tensor, mode: str, gen: torch.Generator) -> torch.Tensor:
    if mode == "gaussian":
        return x + SIGMA * torch.randn(x.shape, generator=gen)
    out = torch.empty(x.shape[0], x.shape[1] + 1, *x.shape[2:])
    for i in range(x.shape[0]):
        ablate(out[i : i + 1], x[i], KEEP, gen)
    return out


def train(mode: str, x: torch.Tensor, y: torch.Tensor, seed: int) -> nn.Module:
    """Train one model with noise augmentation ``mode``; deterministic for a given seed."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = build() if mode == "gaussian" else build_ablation()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    for _ in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(y), generator=gen)
        for b in range(0, len(y), BATCH):
            idx = perm[b : b + BATCH]
            loss = nn.functional.cross_entropy(model(_augment(x[idx], mode, gen)), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    return model.eval()


@torch.inference_mode()
def noisy_accuracy(model: nn.Module, mode: str, x: torch.Tensor, y: torch.Tensor) -> float:
    gen = torch.Generator().manual_seed(12345)
    return float((model(_augment(x, mode, gen)).argmax(1) == y).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("cases/demo"))
    parser.add_argument("--out", type=Path, default=Path("cases/demo"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    xtr, ytr = _load(args.data / "digits-train.npz")
    xte, yte = _load(args.data / "digits-test.npz")
    for mode, name, seed in (("gaussian", "demo_cnn", 0), ("ablation", "demo_cnn_ablation", 1)):
        model = train(mode, xtr, ytr, seed)
        acc = noisy_accuracy(model, mode, xte, yte)
        meta = {
            "trained_by": "scripts/train_demo.py",
            "noise": mode,
            "seed": str(seed),
            "epochs": str(EPOCHS),
            "torch": torch.__version__,
            "test_accuracy_under_noise": f"{acc:.4f}",
        }
        meta["sigma" if mode == "gaussian" else "keep"] = str(SIGMA if mode == "gaussian" else KEEP)
        if mode == "ablation":
            meta["ablated_encoding"] = ABLATED_ENCODING
        tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
        path = atomic_write(args.out / f"{name}.safetensors", save(tensors, metadata=meta))
        print(json.dumps({"file": str(path), **meta}, allow_nan=False))


if __name__ == "__main__":
    main()
