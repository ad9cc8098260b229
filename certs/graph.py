"""How the base model is executed: eager, or a frozen TorchScript graph optimised for inference.

Guarantees:

- ``eager``: the module exactly as loaded (eval mode).
- ``optimized``: ``torch.jit.trace`` (skipped for a TorchScript archive) → ``torch.jit.freeze`` →
  ``torch.jit.optimize_for_inference``: batch norm folded into the convolutions, oneDNN kernels on CPU. It is
  the same function evaluated in a different floating-point order, so its logits differ from eager ones in the
  last bits; the mode is recorded in the certificate (``sampler.graph``) and a replay must use the same mode.
- Probe check before an optimised graph is used: on the caller's probe inputs (noisy copies of a real input),
  at two batch sizes other than the one traced, the optimised logits must agree with the eager logits to
  ``PROBE_RTOL`` of their scale and give the same argmax labels. A trace that baked in a batch size or took a
  data-dependent branch therefore fails the check instead of producing wrong counts.
- ``auto``: ``optimized`` on CPU in float32 when building and checking it succeed, otherwise ``eager`` (the
  reason is recorded in ``GraphChoice.note``). On CUDA ``auto`` stays eager: the optimised path is available
  with ``mode="optimized"`` but has not been measured on a GPU.
- :func:`deterministic_kernels`: on CUDA, cuDNN runs with ``deterministic=True, benchmark=False`` for the
  duration of a run (no timing-dependent algorithm choice), and the previous flags are restored after.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from audit.errors import ModelLoadError, UsageError
from certs.noise import NoiseSpec

MODES = ("auto", "eager", "optimized")
PROBE_SIZE = 64
PROBE_RTOL = 1e-4
TRACE_BATCH = 8

Model = nn.Module | Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class GraphChoice:
    """The callable to run and what to record about it."""

    model: Model
    graph: str  # "eager" | "torchscript-optimized"
    note: str | None = None

    def record(self) -> dict[str, str]:
        out = {"graph": self.graph}
        if self.note:
            out["graph_note"] = self.note
        return out


def noisy_probe(
    noise: NoiseSpec, x: torch.Tensor, device: torch.device, size: int = PROBE_SIZE
) -> torch.Tensor:
    """``size`` noisy copies of the input ``x`` under ``noise`` (fixed generator seed 0): the probe inputs."""
    gen = torch.Generator(device=device).manual_seed(0)
    probe = torch.empty((size, *noise.model_shape(tuple(x.shape))), device=device)
    noise.draw(probe, x.to(device, torch.float32), gen)
    return probe


def optimize(module: Model, example: torch.Tensor) -> torch.jit.ScriptModule:
    """Trace (unless scripted), freeze and optimise ``module`` for inference; raises on failure."""
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TracerWarnings: the probe check is what decides
        if isinstance(module, torch.jit.ScriptModule):
            scripted = module
        elif isinstance(module, nn.Module):
            scripted = torch.jit.trace(module, example, check_trace=False)
        else:
            raise TypeError("only an nn.Module or a TorchScript module can be optimised")
        frozen = torch.jit.freeze(scripted.eval())
        return torch.jit.optimize_for_inference(frozen)


def probe_mismatch(eager: Model, candidate: Model, probe: torch.Tensor) -> str | None:
    """Why ``candidate`` disagrees with ``eager`` on ``probe`` (at two batch sizes), or None if it agrees."""
    m = probe.shape[0]
    with torch.inference_mode():
        for size in sorted({m, max(2, m // 4 + 1)}):
            x = probe[:size]
            want = eager(x)
            got = candidate(x)
            if not isinstance(got, torch.Tensor) or got.shape != want.shape:
                shape = list(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                return f"output shape {shape} at batch {size}, eager gives {list(want.shape)}"
            scale = float(want.abs().max()) + 1.0
            diff = float((got.float() - want.float()).abs().max())
            if not diff <= PROBE_RTOL * scale:
                return f"logits differ by {diff:.3g} (allowed {PROBE_RTOL * scale:.3g}) at batch {size}"
            if not torch.equal(got.argmax(1), want.argmax(1)):
                return f"argmax labels differ at batch {size}"
    return None


def prepare_graph(
    module: Model, probe: torch.Tensor, mode: str = "auto", *, dtype: torch.dtype = torch.float32
) -> GraphChoice:
    """Choose how to execute ``module`` (see the module guarantees); ``probe`` is (m ≥ 2, *model_shape)."""
    if mode not in MODES:
        raise UsageError(f"--graph must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "eager":
        return GraphChoice(module, "eager")
    if mode == "auto":
        if probe.device.type != "cpu":
            return GraphChoice(module, "eager", "auto: optimised graph not used on this device type")
        if dtype != torch.float32:
            return GraphChoice(module, "eager", "auto: optimised graph only for float32")
    if probe.ndim < 2 or probe.shape[0] < 2:
        raise ValueError("the probe needs at least two inputs")
    try:
        opt = optimize(module, probe[: min(TRACE_BATCH, probe.shape[0] - 1)])
        why = probe_mismatch(module, opt, probe)
    except Exception as exc:  # tracing/freezing raise many types; the reason is reported either way
        why = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip()
    if why is None:
        return GraphChoice(opt, "torchscript-optimized")
    if mode == "optimized":
        raise ModelLoadError(f"--graph optimized: the optimised graph fails the probe check: {why}")
    return GraphChoice(module, "eager", f"auto: optimised graph refused ({why})"[:1000])


@contextmanager
def deterministic_kernels(device: torch.device) -> Iterator[dict[str, str]]:
    """On CUDA: cuDNN deterministic, no autotuning, for the block; yields what to record (empty on CPU).

    cuDNN's autotuner picks convolution algorithms by timing, so two runs (or two batch sizes) could
    evaluate the same row with different kernels; fixing the choice keeps reruns on one GPU reproducible.
    Different batch sizes may still use different kernels, whose logits can differ in the last bits.
    """
    if device.type != "cuda":
        yield {}
        return
    cudnn = torch.backends.cudnn
    before = (cudnn.deterministic, cudnn.benchmark)
    cudnn.deterministic, cudnn.benchmark = True, False
    try:
        yield {"cudnn": "deterministic=True, benchmark=False"}
    finally:
        cudnn.deterministic, cudnn.benchmark = before
