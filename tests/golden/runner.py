"""Run the golden invocations in-process and collect what each printed and wrote."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from pathlib import Path

from invocations import INVOCATIONS, ROOT

from audit.cli import main

OUT_DIR = Path(__file__).resolve().parent / "out"


def run_all(with_shared: bool = True) -> dict[str, dict[str, bytes]]:
    """name → {"exit", "stdout", "stderr", and each written file's name} as bytes (scratch dir → ``OUT``);
    without ``with_shared`` the invocations that read ../shared/realdata are left out."""
    results: dict[str, dict[str, bytes]] = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for inv in INVOCATIONS:
                if inv.digest_only and not with_shared:
                    continue
                argv = [a.replace("{out}", tmp) for a in inv.argv]
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    code = main(argv)
                blobs = {
                    "exit": f"{code}\n".encode(),
                    "stdout": out.getvalue().replace(tmp, "OUT").encode(),
                    "stderr": err.getvalue().replace(tmp, "OUT").encode(),
                }
                for name in inv.files:
                    data = (Path(tmp) / name).read_bytes()
                    blobs[name.replace(".", "_")] = data.replace(tmp.encode(), b"OUT")
                if inv.digest_only:  # third-party derived data stays out of the repository
                    blobs = {k: (v if k == "exit" else hashlib.sha256(v).hexdigest().encode() + b"\n")
                             for k, v in blobs.items()}  # fmt: skip
                results[inv.name] = blobs
    finally:
        os.chdir(cwd)
    return results
