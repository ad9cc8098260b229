"""Where the published evidence lives: ``../shared/realdata`` beside the checkout, read in place (third-party
data is never copied into the repository). In CI (``CI=true``) a missing file fails the test with this
message; elsewhere the test is skipped with it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def realdata(name: str) -> Path:
    """The path of a published file under ../shared/realdata, or fail (CI) / skip (elsewhere)."""
    path = SHARED / name
    if not path.is_file():
        why = f"published evidence {path} is missing (the shared/ folder beside the checkout)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    return path
