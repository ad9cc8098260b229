"""The verifier stays torch-free and the layers point down only (docs/architecture.md "Layers")."""

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


# format ◂ theory ◂ verify ◂ (importers, reports) ◂ cli; certs uses format and theory only.
LAYER = {
    "audit": 0,  # the package itself (its version) and audit.errors: the shared base
    "audit.escape": 0,  # untrusted text made safe to show (no project imports)
    "audit.errors": 0.5,  # the error hierarchy prints its one line through audit.escape
    "audit.format": 1,
    "audit.theory": 2,
    "audit.verify": 3,
    "audit.importers": 4,
    "audit.reports": 4,
    "audit.cli": 5,
}
CERTS_MAY_IMPORT = ("audit", "audit.errors", "audit.escape", "audit.format", "audit.theory", "certs")


def _home(module: str) -> str | None:
    """The layer key of a project module (``audit.format.model`` → ``audit.format``), or None if external."""
    parts = module.split(".")
    if parts[0] not in ("audit", "certs"):
        return None
    if parts[0] == "certs":
        return "certs"
    return ".".join(parts[:2]) if len(parts) > 1 and ".".join(parts[:2]) in LAYER else "audit"


def _imports() -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every import in audit/ and certs/, lazy ones too."""
    out = []
    for package in ("audit", "certs"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    out += [(name, a.name, node.lineno) for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    out.append((name, node.module, node.lineno))
    return out


def allowed(src: str, dst: str) -> bool:
    """Whether module ``src`` may import ``dst`` (external modules always; project ones downwards only)."""
    a, b = _home(src), _home(dst)
    if b is None or a == b:
        return True
    if a == "certs":
        return dst == "audit" or any(dst == m or dst.startswith(m + ".") for m in CERTS_MAY_IMPORT[1:])
    return b != "certs" and LAYER[b] < LAYER[a]  # strictly below: siblings do not import each other


def test_every_import_points_down_the_layers() -> None:
    bad = [f"{src}:{line} imports {dst}" for src, dst, line in _imports() if not allowed(src, dst)]
    assert bad == []


def test_the_layer_rule_refuses_what_it_should() -> None:
    refused = [
        ("audit.verify.rederive", "audit.importers.printed"),  # verify below importers
        ("audit.importers.cohen", "audit.reports.console"),  # siblings
        ("audit.format.model", "audit.theory.methods"),  # format below theory
        ("certs.certify", "audit.verify.sidecar"),  # the issuer uses format and theory only
        ("certs.cli", "audit.cli"),
        ("audit.theory.derive", "certs.sampler"),
    ]
    for src, dst in refused:
        assert not allowed(src, dst), (src, dst)
    assert allowed("certs.certify", "audit.theory.methods") and allowed(
        "audit.cli.verify", "audit.reports.json_report"
    )


def test_the_layer_table_covers_every_package() -> None:
    packages = {p.name for p in (ROOT / "audit").iterdir() if (p / "__init__.py").exists()}
    assert {f"audit.{p}" for p in packages} <= set(LAYER)


def test_the_cli_loads_heavy_modules_only_for_the_command_that_needs_them() -> None:
    """`import audit.cli` and `audit --version` load no scipy, mpmath, numpy or rich; `audit verify` loads the
    numerics but not scipy.stats (0.6 s of import time, needed only for comparison-only methods)."""
    heavy = ("scipy", "scipy.stats", "mpmath", "numpy", "rich")
    code = (
        "import sys\nimport audit.cli\n"
        "try:\n    audit.cli.main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print('LOADED:' + ','.join(m for m in {heavy!r} if m in sys.modules))"
    )

    def loaded(*argv: str) -> set[str]:
        out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True,
                             cwd=ROOT)  # fmt: skip
        line = next(x for x in out.stdout.splitlines() if x.startswith("LOADED:"))
        return set(filter(None, line.removeprefix("LOADED:").split(",")))

    assert loaded("--version") == set()
    assert loaded("--help") == set()
    cert, key = "cases/valid_top1.json", "cases/keys/test-release.pub"
    assert "scipy.stats" not in loaded("verify", cert, "--key", key, "--workers", "1", "--quiet")
