"""Model loading refuses pickles; TorchScript and safetensors+builder load; data loading and selection."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file

from audit.errors import InputError, ModelLoadError, UsageError
from certs.data import input_digest, load_data, select_indices
from certs.demo_model import build
from certs.models import load_model, sniff

DEMO = Path(__file__).resolve().parents[2] / "cases" / "demo"
WEIGHTS = DEMO / "demo_cnn.safetensors"


def test_torch_save_pickle_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    torch.save(build(), path)
    assert sniff(path) == "torch-pickle"
    with pytest.raises(ModelLoadError, match="refusing to load a pickle") as err:
        load_model(path)
    assert str(path) in str(err.value) and "safetensors" in str(err.value)
    assert err.value.exit_code == 2


def test_raw_pickle_and_legacy_torch_save_are_refused(tmp_path: Path) -> None:
    raw = tmp_path / "model.pkl"
    raw.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    legacy = tmp_path / "legacy.pt"
    torch.save(build().state_dict(), legacy, _use_new_zipfile_serialization=False)
    for p in (raw, legacy):
        with pytest.raises(ModelLoadError, match="refusing to load a pickle"):
            load_model(p, builder="certs.demo_model:build")


def test_torch_export_archive_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "model.pt2"
    module = build().eval()
    torch.export.save(torch.export.export(module, (torch.zeros(1, 1, 8, 8),)), str(path))
    assert sniff(path) == "torch-export"
    with pytest.raises(ModelLoadError, match=r"refusing a torch\.export archive") as err:
        load_model(path)
    assert str(path) in str(err.value) and "weights_only=False" in str(err.value)


def test_unknown_bytes_and_missing_files_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello world, not a model")
    with pytest.raises(ModelLoadError, match="not a TorchScript"):
        load_model(junk)
    with pytest.raises(ModelLoadError, match="not found"):
        load_model(tmp_path / "absent.safetensors")


def test_safetensors_needs_a_builder_and_matching_weights() -> None:
    with pytest.raises(UsageError, match="--model-builder"):
        load_model(WEIGHTS)
    with pytest.raises(ModelLoadError, match="do not fit"):
        load_model(WEIGHTS, builder="certs.demo_model:build_ablation")
    with pytest.raises(ModelLoadError, match="cannot import"):
        load_model(WEIGHTS, builder="no_such_module_xyz:build")
    loaded = load_model(WEIGHTS, builder="certs.demo_model:build")
    assert loaded.kind == "safetensors" and not loaded.module.training
    assert loaded.files[0][0] == "demo_cnn.safetensors" and len(loaded.files[0][1]) == 64


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_torchscript_archive_loads_and_matches_the_eager_model(tmp_path: Path) -> None:
    eager = load_model(WEIGHTS, builder="certs.demo_model:build").module
    path = tmp_path / "demo.ts"
    torch.jit.save(torch.jit.script(eager), str(path))
    assert sniff(path) == "torchscript"
    ts = load_model(path)
    assert ts.kind == "torchscript" and ts.builder is None
    x = torch.rand(5, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        assert torch.equal(ts.module(x), eager(x))


def test_load_npz_and_safetensors_data(tmp_path: Path) -> None:
    ds = load_data(DEMO / "digits-test.npz")
    assert ds.inputs.shape == (360, 1, 8, 8) and ds.inputs.dtype == np.float32
    assert ds.labels is not None and set(ds.labels.tolist()) == set(range(10))
    assert 0.0 <= ds.inputs.min() and ds.inputs.max() <= 1.0
    st = tmp_path / "d.safetensors"
    save_file({"x": ds.inputs[:4], "y": ds.labels[:4]}, str(st))
    ds2 = load_data(st)
    assert np.array_equal(ds2.inputs, ds.inputs[:4]) and np.array_equal(ds2.labels, ds.labels[:4])
    assert input_digest(ds.inputs[0]) == input_digest(ds2.inputs[0].astype(np.float64))


def test_object_arrays_in_npz_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    np.savez(bad, inputs=np.array([{"a": 1}, {"b": 2}], dtype=object))
    with pytest.raises(InputError):
        load_data(bad)


def test_select_indices() -> None:
    assert select_indices(10) == list(range(10))
    assert select_indices(10, "0,3-5,9") == [0, 3, 4, 5, 9]
    assert select_indices(100, None, skip=20) == [0, 20, 40, 60, 80]
    assert select_indices(100, "10-19", skip=3, limit=2) == [10, 13]
    for bad in ("5-2", "12", "a"):
        with pytest.raises(UsageError):
            select_indices(10, bad)
    with pytest.raises(UsageError):
        select_indices(10, None, skip=0)
    for indices in ("3,3", "1-3,2-4"):  # a certificate's entry ids must be unique
        with pytest.raises(UsageError, match="more than once"):
            select_indices(10, indices)
    for limit in (0, -1):  # -1 must not act as a Python slice end
        with pytest.raises(UsageError, match="--max"):
            select_indices(10, None, limit=limit)


@pytest.mark.parametrize("content", [b"", b"hello, not a zip", b"\x80\x04K\x01."])
def test_empty_or_non_zip_npz_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "d.npz"
    bad.write_bytes(content)
    with pytest.raises(InputError, match=r"not an \.npz archive"):
        load_data(bad)


def test_load_model_casts_to_the_requested_dtype() -> None:
    loaded = load_model(WEIGHTS, builder="certs.demo_model:build", dtype=torch.float64)
    assert {p.dtype for p in loaded.module.parameters()} == {torch.float64} and not loaded.module.training
    plain = load_model(WEIGHTS, builder="certs.demo_model:build")
    assert {p.dtype for p in plain.module.parameters()} == {torch.float32}
