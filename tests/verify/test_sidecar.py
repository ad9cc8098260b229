"""Per-sample score sidecars and the betting interval: path rules, sha256, formats, independent radius."""

from __future__ import annotations

import hashlib
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import norm
from verify_builders import entry, predicate, statement

from audit.format import Statement
from audit.verify.pipeline import VerifyOptions, verify_statement

N, C = 400, 3
SIGMA = 0.25


def samples(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = np.round(rng.beta(30, 2, size=N), 6)
    b = np.round((1 - a) * rng.uniform(size=N), 6)
    return np.stack([a, b, np.round(1 - a - b, 6).clip(0, 1)])


def json_bytes(x: np.ndarray, **over: Any) -> bytes:
    doc = {"sidecar_version": 1, "n": N, "samples": [[f"{v:.6f}" for v in row] for row in x]}
    doc.update(over)
    return json.dumps(doc).encode()


def npy_bytes(x: np.ndarray, dtype: str = "<f8") -> bytes:
    buf = io.BytesIO()
    np.save(buf, x.astype(dtype), allow_pickle=False)
    return buf.getvalue()


def cert(
    tmp_path: Path, data: bytes | None, rel: str, sha: str | None = None, *, interval: str = "betting",
    with_sidecar: bool = True,
) -> tuple[Statement, str]:  # fmt: skip
    """An unsigned statement with one ``interval`` entry whose sidecar is ``rel`` (written from ``data``)."""
    if data is not None:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    p = predicate()
    p["guarantee"].update(output="soft", radius_method="soft-gaussian")
    p["statistics"].update(
        interval=interval,
        n=N,
        num_classes=C,
        alpha_split=[{"bound": "F_low", "alpha": "0.0005"}, {"bound": "F_up", "alpha": "0.0005"}],
    )
    x = samples()
    sums = [f"{float(r.sum()):.6f}" for r in x]
    sqs = [f"{float((r * r).sum()):.12f}" for r in x]
    digest = sha or hashlib.sha256(data or b"").hexdigest()
    sc = {"sum": sums, "sumsq": sqs, "sidecar": {"path": rel, "sha256": digest} if with_sidecar else None}
    p["entries"].append(entry(0, 0, "0.01", scores=sc))
    return statement(p), str(tmp_path / "cert.json")


def verdict(tmp_path: Path, data: bytes | None, rel: str = "side/s.json", sha: str | None = None):
    st, path = cert(tmp_path, data, rel, sha)
    (res,) = verify_statement(st, path, VerifyOptions(workers=1)).entries
    return res


def betting_lower_ref(x: np.ndarray, alpha: float, c: float = 0.5) -> float:
    """Waudby-Smith & Ramdas hedged-capital lower bound, written out here in float64 (docs/theory.md §2)."""
    n = x.size
    t = np.arange(1, n + 1)
    mu = (0.5 + np.cumsum(x)) / (t + 1)
    var = (0.25 + np.cumsum((x - mu) ** 2)) / (t + 1)
    lam_t = np.sqrt(2 * math.log(1 / alpha) / (n * np.concatenate(([0.25], var[:-1]))))

    def log_max_capital(m: float) -> float:
        lam = np.minimum(lam_t, c / m)
        return max(0.0, float(np.cumsum(np.log1p(lam * (x - m))).max()))

    lo, hi = 1e-12, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if log_max_capital(mid) >= math.log(1 / alpha) else (lo, mid)
    return lo


@pytest.mark.parametrize("fmt", ["json", "npy"])
def test_betting_radius_matches_independent_computation(tmp_path: Path, fmt: str) -> None:
    x = samples()
    if fmt == "npy":
        x = np.array([[float(f"{v:.6f}") for v in row] for row in x])
    data = json_bytes(x) if fmt == "json" else npy_bytes(x)
    res = verdict(tmp_path, data, f"side/s.{fmt}")
    assert str(res.verdict) == "certified", res.explain()
    low = betting_lower_ref(x[0], 0.0005)
    up = max(1 - betting_lower_ref(1 - x[i], 0.0005) for i in (1, 2))
    want = SIGMA / 2 * (norm.ppf(low) - norm.ppf(up))
    assert want - 1e-6 <= float(res.derived) <= want + 1e-9
    # the same scores in another order give another bound: the verifier used the sidecar's order
    res_sorted = verdict(tmp_path / "sorted", json_bytes(np.sort(x, axis=1)), "side/s.json")
    assert res_sorted.derived != res.derived


@pytest.mark.parametrize(
    ("make", "rel", "needle"),
    [
        (lambda: json_bytes(samples()), "/etc/s.json", "relative"),
        (lambda: json_bytes(samples()), "../s.json", "relative"),
        (lambda: json_bytes(samples()), "side\\s.json", "POSIX"),
        (lambda: None, "side/missing.json", "cannot read"),
        (lambda: json_bytes(samples(), n=N + 1), "side/s.json", "sidecar n="),
        (lambda: json_bytes(samples(), sidecar_version=2), "side/s.json", "sidecar_version"),
        (lambda: json_bytes(samples()[:2]), "side/s.json", "one list per class"),
        (lambda: json_bytes(samples()[:, :-1]), "side/s.json", "must hold n="),
        (lambda: json_bytes(samples() * 2), "side/s.json", "outside [0, 1]"),
        (lambda: b'{"sidecar_version": 1, "n": NaN}', "side/s.json", "NaN"),
        (lambda: npy_bytes(samples(), "<f4"), "side/s.npy", "float64"),
        (lambda: npy_bytes(samples()[:, :10]), "side/s.npy", "shape"),
        (lambda: npy_bytes(samples() - 1), "side/s.npy", "[0, 1]"),
        (lambda: b"not an npy file", "side/s.npy", "unreadable"),
    ],
)
def test_bad_sidecar_is_inconsistent_evidence(tmp_path: Path, make, rel: str, needle: str) -> None:
    res = verdict(tmp_path, make(), rel)
    assert str(res.verdict) == "inconsistent-evidence"
    (f,) = res.findings
    assert f.rule == "SA108" and f.pointer == "/predicate/entries/0/scores/sidecar"
    assert needle in f.message, f.message
    assert not f.structural  # a sidecar problem is a verification failure (exit 1), not malformed input


def test_pickled_npy_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    res = verdict(tmp_path, buf.getvalue(), "side/s.npy")
    assert str(res.verdict) == "inconsistent-evidence" and res.findings[0].rule == "SA108"


def test_sha_mismatch(tmp_path: Path) -> None:
    res = verdict(tmp_path, json_bytes(samples()), sha="ab" * 32)
    assert str(res.verdict) == "inconsistent-evidence"
    assert "sha256" in res.findings[0].message and "altered" in res.findings[0].message


def test_betting_without_sidecar_is_evidence_missing(tmp_path: Path) -> None:
    st, path = cert(tmp_path, json_bytes(samples()), "side/s.json", with_sidecar=False)
    (res,) = verify_statement(st, path, VerifyOptions(workers=1)).entries
    assert str(res.verdict) == "inconsistent-evidence"
    assert res.findings[0].rule == "SA107"


def test_hoeffding_entry_gets_betting_slack(tmp_path: Path) -> None:
    st, path = cert(tmp_path, json_bytes(samples()), "side/s.json", interval="hoeffding")
    (res,) = verify_statement(st, path, VerifyOptions(workers=1)).entries
    assert str(res.verdict) == "certified"
    methods = [s.method for s in res.slack]
    assert "soft-gaussian with betting at alpha=0.001" in methods
