"""The CLI invocations whose outputs were recorded before the architecture refactor (regression snapshot).

The files under ``tests/golden/out/`` are what these commands printed and wrote at commit 437dc19, before the
typed model and the method registry replaced the dict-based verifier. They are a *regression* reference, not a
correctness reference (correctness comes from the independent values in tests/theory and the case library's
expected verdicts): ``test_golden.py`` checks that the refactored code prints and writes byte-identical
output. ``python tests/golden/record.py`` re-records them; do that only for an intended, reviewed change
of output.

Every command runs in-process with the repository root as working directory; ``{out}`` is a scratch
directory whose files are compared too (its path is replaced by ``OUT`` in the captured text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = "../shared/realdata"
KEY = "cases/keys/test-release.pub"


@dataclass(frozen=True)
class Invocation:
    name: str
    argv: tuple[str, ...]
    files: tuple[str, ...] = field(default_factory=tuple)  # files the command writes under {out}
    digest_only: bool = False  # output derived from third-party data (../shared): keep its sha256 only


def _cases() -> list[Invocation]:
    out = []
    for path in sorted((ROOT / "cases").glob("*.json")):
        if path.name == "expected.json":
            continue
        stem = path.stem
        argv = ("verify", f"cases/{path.name}", "--key", KEY, "--workers", "1", "--json",
                "--junit", f"{{out}}/{stem}.junit.xml", "--sarif", f"{{out}}/{stem}.sarif")  # fmt: skip
        out.append(Invocation(f"verify-{stem}", argv, (f"{stem}.junit.xml", f"{stem}.sarif")))
    return out


def _policies() -> list[Invocation]:
    stems = ("valid_top1", "valid_topk", "valid_l1", "valid_soft", "seeds_shared", "unsigned")
    common = ("--policy", "tests/golden/policy.toml", "--workers", "1", "--json")
    return [Invocation(f"policy-{s}", ("verify", f"cases/{s}.json", *common)) for s in stems]


def _radius() -> list[Invocation]:
    calls = [
        "--family gaussian-l2 --sigma 0.25 --n 100000 --alpha 0.001 --count 99000",
        "--family gaussian-l2 --sigma 0.25 --n 100000 --alpha 0.001 --interval simuem --k 3 --label 3 "
        "--counts 2,2,334,93642,2,5279,737,0,2,0",
        "--family gaussian-l2 --sigma 0.5 --k 3 --lower 0.5 --upper 0.2,0.15,0.1,0.05",
        "--family ablation-l0 --d 1024 --keep 50 --k 3 --lower 0.8 --upper 0.1,0.05,0.03",
        "--family ablation-l0 --d 1024 --keep 50 --k 1 --lower 0.8 --upper 0.1",
        "--family laplace-l1 --lambda 0.5 --lower 0.8 --upper 0.15",
        "--family laplace-l1 --lambda 0.5 --lower 0.8",
        "--family laplace-l1 --lambda 0.5 --lower 0.8 --upper 0.15 --float",
        "--family gaussian-l2 --sigma 0.25 --n 1000 --alpha 0.001 --count 600 --method cohen-two-bound",
        "--family gaussian-l2 --sigma 0.25 --n 1000 --alpha 0.001 --counts 600,300,100 --label 0 "
        "--interval simuem --method cohen-two-bound",
        "--family laplace-l1 --lambda 0.5 --n 1000 --alpha 0.001 --counts 600,300,100 --label 0 "
        "--method laplace-multiclass",
        "--family ablation-l0 --d 1024 --keep 50 --n 1000 --alpha 0.001 --counts 900,60,40 --label 0 "
        "--interval binocp --k 2",
    ]
    return [Invocation(f"radius-{i}", ("radius", *c.split(), "--json")) for i, c in enumerate(calls)]


def _imports() -> list[Invocation]:
    """Imports of the published logs in ../shared (outputs kept as digests only)."""
    log = f"{SHARED}/cohen_cifar10_resnet110_sigma0{{}}.tsv"
    jia = (f"{SHARED}/jia_topk_cifar_sigma025_counts.txt", "--sigma", "0.25", "--alpha", "0.001")
    radii = ("--radii", f"{SHARED}/jia_topk_cifar_sigma025_k3_radii.tsv")
    out = []
    for sigma in ("12", "25"):
        argv = ("import", "cohen", log.format(sigma), "--sigma", f"0.{sigma}", "--n", "100000", "--alpha",
                "0.001", "--out", f"{{out}}/c0{sigma}.json")  # fmt: skip
        out.append(Invocation(f"import-cohen0{sigma}", argv, (f"c0{sigma}.json",), True))
    for name, k, extra in (("jia", "3", radii), ("jia2", "2", ())):
        argv = ("import", "jia-topk", *jia, "--k", k, *extra, "--out", f"{{out}}/{name}.json")
        out.append(Invocation(f"import-{name}", argv, (f"{name}.json",), True))
    argv = ("consistency", log.format("25"), "--sigma", "0.25", "--json")
    out.append(Invocation("consistency-cohen025", argv, (), True))
    return out


def _verify_imports() -> list[Invocation]:
    """Verify what the imports wrote (``{out}`` of the same run: these follow the imports in order)."""
    common = ("--allow-unsigned", "--workers", "1", "--json")
    names = ("c012", "c025", "jia", "jia2")
    return [
        Invocation(f"verify-import-{n}", ("verify", f"{{out}}/{n}.json", *common), (), True) for n in names
    ]


INVOCATIONS: list[Invocation] = _cases() + _policies() + _radius() + _imports() + _verify_imports()
