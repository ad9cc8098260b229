"""Benchmark: radii per second for each family, float64 vs mpmath-50 (not a test).

Usage: python scripts/bench_theory.py [--entries N]
Prints a markdown table; the numbers in docs/bench-theory.md come from this script.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from audit.theory import FLOAT, CertificationSpec, Evidence, derive, mp_backend
from audit.theory.binomial import _cp_lower_value, _cp_upper_value, _tail

A, S = "0.001", "0.25"
DATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "jia_topk_cifar_sigma025_counts.txt"


def _spec(family: str, method: str, interval: str, **params: object) -> CertificationSpec:
    return CertificationSpec(family=family, radius_method=method, interval=interval, alpha="0.001", **params)


def _rows(n: int) -> list[tuple[tuple[int, ...], int]]:
    rows = [list(map(int, ln.split())) for ln in DATA.read_text().splitlines() if ln.strip()]
    return [(tuple(r[:10]), r[10]) for r in rows[:n]]


def _time(fn: Callable[[], object], reps: int) -> float:
    _cp_lower_value.cache_clear()
    _cp_upper_value.cache_clear()
    _tail.cache_clear()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=200)
    args = ap.parse_args()
    rows = _rows(args.entries)
    specs = {
        "gaussian cohen/cp (top-1)": _spec("gaussian", "cohen", "cp", sigma=S),
        "gaussian topk/simuem k=1": _spec("gaussian", "topk", "simuem", k=1, sigma=S),
        "gaussian topk/simuem k=3": _spec("gaussian", "topk", "simuem", k=3, sigma=S),
        "laplace multiclass/cp": _spec("laplace", "laplace-multiclass", "cp", lam=S),
        "ablation topk/simuem k=3 (d=1024,e=50)": _spec(
            "ablation", "ablation-topk", "simuem", k=3, d=1024, keep=50
        ),
        "ablation topk/simuem k=3 (d=50176,e=1000)": _spec(
            "ablation", "ablation-topk", "simuem", k=3, d=50176, keep=1000
        ),
    }
    print(f"entries per measurement: {len(rows)} (Jia et al. CIFAR-10 counts, n=1e5, 10 classes)")
    print("| family / method | float64 radii/s | mpmath-50 radii/s | ms per entry at 50 digits |")
    print("|---|---|---|---|")
    for name, spec in specs.items():
        res = []
        for B in (FLOAT, mp_backend(50)):

            def run(B=B, spec=spec) -> None:
                for counts, label in rows:
                    derive(spec, Evidence(label, sum(counts), counts), B)

            res.append(_time(run, 1))
        n = len(rows)
        print(f"| {name} | {n / res[0]:.0f} | {n / res[1]:.1f} | {1000 * res[1] / n:.2f} |")


if __name__ == "__main__":
    main()
