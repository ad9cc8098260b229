"""The verifier stays torch-free and the layers point down only (DESIGN.md "Layers")."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import audit

ROOT = Path(__file__).resolve().parents[1]


def _audit_modules() -> list[str]:
    mods = pkgutil.walk_packages(audit.__path__, prefix="audit.")
    return sorted(m.name for m in mods if not m.name.endswith(".__main__"))


def test_importing_every_audit_module_does_not_import_torch() -> None:
    mods = _audit_modules()
    assert "audit.cli" in mods
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k == 'torch' or k.startswith('torch.') or k == 'certs')\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"audit pulled in: {out.stdout.strip()}"


def test_audit_sources_never_import_torch_or_the_issuer() -> None:
    offenders = []
    for path in (ROOT / "audit").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in {"torch", "certs"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []


def test_test_module_basenames_are_unique() -> None:
    """pytest's default import mode needs unique test-module basenames across tests/ (no __init__.py)."""
    seen: dict[str, list[str]] = {}
    for path in (ROOT / "tests").rglob("*.py"):
        seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    clashes = {name: paths for name, paths in seen.items() if len(paths) > 1 and name != "conftest.py"}
    assert clashes == {}
