"""Shared fixtures for the issuer tests: the bundled demo model/data and a fresh signing key."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from audit.format import generate_private_key, public_key_pem
from certs.models import load_model

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "cases" / "demo"
WEIGHTS = DEMO / "demo_cnn.safetensors"
ABL_WEIGHTS = DEMO / "demo_cnn_ablation.safetensors"
TEST_DATA = DEMO / "digits-test.npz"
BUILDER = "certs.demo_model:build"


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def demo_model() -> torch.nn.Module:
    return load_model(WEIGHTS, builder=BUILDER).module


@pytest.fixture
def keypair(tmp_path: Path):
    key = generate_private_key()
    pub = tmp_path / "key.pub.pem"
    pub.write_bytes(public_key_pem(key.public_key()))
    return key, pub


@pytest.fixture
def interrupt_after():
    """A progress hook factory that raises KeyboardInterrupt after ``groups`` finished groups of inputs,
    as a user's Ctrl-C would (the public way to stop a run; certify then saves the partial run)."""

    def make(groups: int):
        seen = 0

        def hook(event: str, _info: dict) -> None:
            nonlocal seen
            if event == "input":
                seen += 1
                if seen >= groups:
                    raise KeyboardInterrupt

        return hook

    return make
