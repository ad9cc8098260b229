"""Published logs end to end: import → verify; reference values derived independently with scipy.

Independent derivation: the radius a count gives is recomputed here with scipy's beta quantile and normal
quantile (statsmodels' ``proportion_confint(method="beta")`` lower end, as Cohen's certify.py does) over every
count near the top, and the set of printable radii is enumerated by brute force.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from realdata import realdata
from scipy.stats import beta, norm

from audit.cli import main as audit_main


def _printable(sigma: float, n: int, alpha: float) -> set[str]:
    k = np.arange(n // 2, n + 1)
    pl = beta.ppf(alpha, k, n - k + 1)
    pl[-1] = alpha ** (1.0 / n)
    r = sigma * norm.ppf(pl)
    return {format(float(x), ".3") for x in r if x > 0}


def _log_radii(name: str) -> list[tuple[int, str]]:
    rows = realdata(name).read_text().splitlines()[1:]
    return [(int(c[0]), c[3]) for c in (r.split("\t") for r in rows) if c[2] != "-1"]


def test_sigma025_fails_and_explains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = realdata("cohen_cifar10_resnet110_sigma025.tsv")
    out = tmp_path / "c025.json"
    code = audit_main(
        [
            "import",
            "cohen",
            str(log),
            "--sigma",
            "0.25",
            "--n",
            "100000",
            "--alpha",
            "0.001",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "0.952864" in err
    code = audit_main(["verify", str(out), "--allow-unsigned", "--json", "--quiet", "--workers", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    ok = _printable(0.25, 100000, 0.001)
    expected_bad = {idx for idx, r in _log_radii(log.name) if r not in ok}
    entries = doc["files"][0]["entries"]
    got_bad = {int(e["id"].split(":")[1]) for e in entries if e["verdict"] == "inconsistent-evidence"}
    assert got_bad == expected_bad and len(got_bad) > 0
    assert all(
        e["verdict"] in ("certified", "abstained") for e in entries if e["verdict"] != "inconsistent-evidence"
    )
    over = [e for e in entries if "exceeds the largest radius reachable" in e["explanation"]]
    assert over and all("0.953" in e["explanation"] for e in over)


def test_sigma012_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = realdata("cohen_cifar10_resnet110_sigma012.tsv")
    ok = _printable(0.12, 100000, 0.001)
    assert all(r in ok for _, r in _log_radii(log.name))  # the independent check agrees the log is explicable
    out = tmp_path / "c012.json"
    args = [
        "import",
        "cohen",
        str(log),
        "--sigma",
        "0.12",
        "--n",
        "100000",
        "--alpha",
        "0.001",
        "--out",
        str(out),
    ]
    assert audit_main(args) == 0
    assert audit_main(["verify", str(out), "--allow-unsigned", "--quiet", "--workers", "1"]) == 0


def test_consistency_grid_finds_alpha_001(capsys: pytest.CaptureFixture[str]) -> None:
    log = realdata("cohen_cifar10_resnet110_sigma025.tsv")
    code = audit_main(
        ["consistency", str(log), "--sigma", "0.25", "--alphas", "0.001,0.01", "--ns", "100000", "--json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    res = {(r["alpha"], r["n"]): r["consistent"] for r in doc}
    radii = {r for _, r in _log_radii(log.name)}
    assert res[("0.001", 100000)] is (radii <= _printable(0.25, 100000, 0.001))
    assert res[("0.01", 100000)] is (radii <= _printable(0.25, 100000, 0.01))
    assert res[("0.01", 100000)] is True and res[("0.001", 100000)] is False


def test_jia_topk_radii_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "jia.json"
    args = [
        "import",
        "jia-topk",
        str(realdata("jia_topk_cifar_sigma025_counts.txt")),
        "--sigma",
        "0.25",
        "--k",
        "3",
        "--alpha",
        "0.001",
        "--radii",
        str(realdata("jia_topk_cifar_sigma025_k3_radii.tsv")),
        "--out",
        str(out),
    ]
    assert audit_main(args) == 0
    code = audit_main(["verify", str(out), "--allow-unsigned", "--json", "--quiet", "--no-slack"])
    doc = json.loads(capsys.readouterr().out)
    entries = doc["files"][0]["entries"]
    # docs/theory.md §9: row 1 (label 3), exact k=3 radius 0.5504707425...; printed 0.55 → claim 0.5495
    assert entries[0]["claimed"] == "0.5495" and entries[0]["derived"].startswith("0.550470742")
    assert code == 0, [e for e in entries if e["verdict"] not in ("certified", "abstained")][:3]
