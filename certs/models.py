"""Load a base classifier without ever unpickling: TorchScript archives, or safetensors + a builder.

Accepted:
- a TorchScript archive (a zip holding ``code/`` and ``constants.pkl``, loaded by ``torch.jit.load``, whose
  restricted unpickler admits no arbitrary globals);
- a ``.safetensors`` weights file plus ``--model-builder module:function`` (or ``path/to/file.py:function``)
  returning an ``nn.Module``; the weights are loaded with ``strict=True``.
Refused with :class:`ModelLoadError`: raw pickle streams and ``torch.save`` zip archives (full pickles),
``torch.export`` archives (``.pt2``: ``torch.export.load`` unpickles weights and constants with
``weights_only=False``, and falls back to it for the rest), and anything else. The model files' sha256
digests become the certificate's subject.
"""

from __future__ import annotations

import importlib
import importlib.util
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from audit.errors import ModelLoadError, UsageError
from audit.format.io import open_regular, sha256_file

MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024


@dataclass
class LoadedModel:
    """The module (eval mode, on ``device``) and what identifies it."""

    module: nn.Module
    kind: str  # "torchscript" | "safetensors"
    files: list[tuple[str, str]] = field(default_factory=list)  # (file name, sha256 hex)
    builder: str | None = None


def sniff(path: Path) -> str:
    """Classify a model file by its bytes: ``torchscript``, ``safetensors``, ``torch-export``,
    ``torch-pickle``, ``pickle`` or ``unknown``."""
    fh, _size = open_regular(path)  # a FIFO or device is refused before anything reads it
    with fh:
        head = fh.read(16)
    if head[:2] == b"\x80" or (head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5):
        return "pickle"
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return "unknown"
        if any("/code/" in n for n in names) and any(n.endswith("constants.pkl") for n in names):
            return "torchscript"
        if any(n.endswith(("/archive_format", "serialized_exported_program.json")) for n in names):
            return "torch-export"
        if any(n.endswith("data.pkl") for n in names):
            return "torch-pickle"
        return "unknown"
    if len(head) >= 9:
        (n,) = struct.unpack("<Q", head[:8])
        if 0 < n <= MAX_SAFETENSORS_HEADER and head[8:9] == b"{":
            return "safetensors"
    return "unknown"


def _import_builder(spec: str):
    if ":" not in spec:
        raise UsageError(f"--model-builder must be 'module:function' or 'file.py:function', got {spec!r}")
    target, func = spec.rsplit(":", 1)
    try:
        if target.endswith(".py"):
            mspec = importlib.util.spec_from_file_location(Path(target).stem, target)
            if mspec is None or mspec.loader is None:
                raise ImportError(target)
            module = importlib.util.module_from_spec(mspec)
            mspec.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
    except (ImportError, OSError) as exc:
        raise ModelLoadError(
            f"cannot import model builder {target!r}: {exc}", field="--model-builder"
        ) from exc
    fn = getattr(module, func, None)
    if not callable(fn):
        raise ModelLoadError(f"{target!r} has no callable {func!r}", field="--model-builder")
    return fn


def load_model(
    path: str | Path,
    *,
    builder: str | None = None,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
) -> LoadedModel:
    """Load ``path`` (refusing pickles), put it in eval mode on ``device``, its parameters cast to ``dtype``
    when that is not float32; raise :class:`ModelLoadError`."""
    p = Path(path)
    if not p.is_file():
        raise ModelLoadError("model file not found", file=str(p))
    kind = sniff(p)
    if kind in ("pickle", "torch-pickle"):
        raise ModelLoadError(
            "refusing to load a pickle (torch.save / pickle file): unpickling runs arbitrary code; "
            "export the model with torch.jit.save (TorchScript) or save its weights as .safetensors "
            "and pass --model-builder module:function",
            file=str(p),
        )
    if kind == "torch-export":
        raise ModelLoadError(
            "refusing a torch.export archive (.pt2): torch.export.load unpickles its weights and constants "
            "(weights_only=False), which runs arbitrary code; export the model with torch.jit.save "
            "(TorchScript) or save its weights as .safetensors and pass --model-builder module:function",
            file=str(p),
        )
    if kind == "unknown":
        raise ModelLoadError("not a TorchScript archive nor a safetensors file", file=str(p))
    digest = sha256_file(p)
    if kind == "torchscript":
        if builder is not None:
            raise UsageError("--model-builder applies to safetensors weights, not to a TorchScript archive")
        try:
            module = torch.jit.load(str(p), map_location=device)
        except Exception as exc:  # torch raises a zoo of types for bad archives
            raise ModelLoadError(f"cannot load TorchScript archive: {exc}", file=str(p)) from exc
    else:
        if builder is None:
            raise UsageError(f"{p.name} holds weights only: pass --model-builder module:function")
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        module = _import_builder(builder)()
        if not isinstance(module, nn.Module):
            raise ModelLoadError(
                f"builder {builder!r} did not return a torch.nn.Module", field="--model-builder"
            )
        try:
            state = load_file(str(p), device="cpu")
            module.load_state_dict(state, strict=True)
        except (SafetensorError, RuntimeError, ValueError) as exc:
            raise ModelLoadError(f"weights do not fit the builder's module: {exc}", file=str(p)) from exc
        module = module.to(device)
    if dtype != torch.float32:
        module.to(dtype)
    module.eval()
    return LoadedModel(module=module, kind=kind, files=[(p.name, digest)], builder=builder)
