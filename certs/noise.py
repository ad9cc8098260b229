"""Noise families in the units of the certified norm, drawn from a caller's ``torch.Generator``.

Every family fills a caller-provided output slice ``out`` (shape ``(m, *model_shape)``) with ``m``
perturbed copies of one input ``x`` (shape ``input_shape``). The random stream consumed depends only on
``m``, the shapes and the generator, never on where ``out`` lives in a batch: that is what makes
packing and replay exact.

- ``gaussian``: ``x + σ·z``, z ~ N(0, I) (``Tensor.normal_``); certifies L2.
- ``laplace``: ``x + λ·(e1 − e2)``, e1, e2 ~ Exp(1) i.i.d. (``Tensor.exponential_``), which is Laplace(0, λ)
  with density ``(2λ)^-d exp(-‖z‖₁/λ)`` per coordinate; certifies L1.
- ``ablation``: keep ``e`` of the ``d = H·W`` pixels chosen uniformly without replacement (top-e of i.i.d.
  float64 uniforms), all channels of a pixel together. Encoding ``zero+mask-channel``: the output has C+1
  channels; kept pixels carry their values and mask 1, ablated pixels carry 0 in every channel and mask 0.
  The base model must be trained on this encoding (see :mod:`certs.demo_model`). Certifies L0 (pixels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from audit.errors import UsageError
from audit.format.numbers import NumberError, parse_decimal

Family = Literal["gaussian", "laplace", "ablation"]
ABLATED_ENCODING = "zero+mask-channel"


@dataclass(frozen=True)
class NoiseSpec:
    """A noise family and its parameter, kept as exact decimal strings for the certificate."""

    family: Family
    sigma: str | None = None
    lam: str | None = None
    keep: int | None = None

    def __post_init__(self) -> None:
        need = {"gaussian": "sigma", "laplace": "lam", "ablation": "keep"}.get(self.family)
        if need is None:
            raise UsageError(f"unknown noise family {self.family!r} (gaussian | laplace | ablation)")
        value = getattr(self, need)
        flags = {"sigma": "--sigma", "lam": "--lambda", "keep": "--keep"}
        extra = [flags[k] for k in flags if k != need and getattr(self, k) is not None]
        if extra:
            raise UsageError(
                f"{', '.join(extra)} does not apply to {self.family} noise (it takes {flags[need]})"
            )
        if value is None:
            raise UsageError(f"noise {self.family} needs --{'lambda' if need == 'lam' else need}")
        if need == "keep":
            if not isinstance(value, int) or value < 1:
                raise UsageError(f"--keep must be a positive integer, got {value!r}")
        else:
            try:
                positive = parse_decimal(str(value)) > 0
            except NumberError:
                raise UsageError(f"--{need} must be a decimal number, got {value!r}") from None
            if not positive:
                raise UsageError(f"--{need} must be a positive finite number, got {value!r}")

    @property
    def norm(self) -> str:
        return {"gaussian": "l2", "laplace": "l1", "ablation": "l0"}[self.family]

    def model_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one perturbed sample as the base model sees it."""
        if self.family == "ablation":
            c, *rest = input_shape
            return (c + 1, *rest)
        return tuple(input_shape)

    def dimension(self, input_shape: tuple[int, ...]) -> int:
        """``d`` of the certificate: number of coordinates (gaussian/laplace) or of pixels (ablation)."""
        if self.family == "ablation":
            if len(input_shape) != 3:
                raise UsageError(f"ablation needs (C, H, W) inputs, got shape {list(input_shape)}")
            d = input_shape[1] * input_shape[2]
            if self.keep is not None and self.keep > d:
                raise UsageError(f"--keep {self.keep} exceeds the {d} pixels of an input")
            return d
        d = 1
        for s in input_shape:
            d *= s
        return d

    def draw(self, out: torch.Tensor, x: torch.Tensor, generator: torch.Generator) -> None:
        """Fill ``out`` (m, *model_shape) with ``m`` perturbed copies of ``x``; consumes ``generator``."""
        if self.family == "gaussian":
            out.normal_(generator=generator)
            out.mul_(float(self.sigma)).add_(x)  # type: ignore[arg-type]
        elif self.family == "laplace":
            out.exponential_(generator=generator)
            e2 = torch.empty_like(out).exponential_(generator=generator)
            out.sub_(e2).mul_(float(self.lam)).add_(x)  # type: ignore[arg-type]
        else:
            ablate(out, x, int(self.keep), generator)  # type: ignore[arg-type]


def ablation_mask(
    m: int, d: int, keep: int, generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    """(m, d) float mask with exactly ``keep`` ones per row, a uniform ``keep``-subset of ``range(d)``."""
    keys = torch.empty(m, d, dtype=torch.float64, device=device).uniform_(generator=generator)
    idx = keys.topk(keep, dim=1).indices
    return torch.zeros(m, d, device=device).scatter_(1, idx, 1.0)


def ablate(out: torch.Tensor, x: torch.Tensor, keep: int, generator: torch.Generator) -> None:
    """Write ``m`` ablated copies of ``x`` (C, H, W) into ``out`` (m, C+1, H, W), mask-channel encoding."""
    m, c1, h, w = out.shape
    mask = ablation_mask(m, h * w, keep, generator, out.device).view(m, 1, h, w).to(out.dtype)
    out[:, : c1 - 1].copy_(x.unsqueeze(0) * mask)
    out[:, c1 - 1 :].copy_(mask)
