"""Benchmark: verify a 10,000-entry certificate (top-1 Cohen, and top-3 SimuEM with 10 classes).

Counts are drawn from a fixed-seed multinomial around the Jia et al. released count vectors (n = 100,000), the
claims are the float-path radii rounded toward zero (as an issuer writes them). Reports entries/second at 50
digits with 1 and 2 worker processes, and the float path for comparison. Slack is off (informational only).
Usage: ``python3 scripts/bench_verify.py [--entries 10000] [--kinds top1,top3] [--workers 1,2]``.
The memoised Clopper–Pearson tables are emptied before every measurement (forked workers would otherwise
inherit the values computed by the previous one).
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.format import PREDICATE_TYPE, STATEMENT_TYPE, decode_statement  # noqa: E402
from audit.format.model import to_builtins  # noqa: E402
from audit.format.numbers import decimal_string  # noqa: E402
from audit.importers.skeleton import gaussian_l2_predicate, single_bound_statistics  # noqa: E402
from audit.theory import FLOAT, CertificationSpec, Evidence, derive  # noqa: E402
from audit.theory import binomial as _binomial  # noqa: E402
from audit.verify.pipeline import VerifyOptions, verify_statement  # noqa: E402

REAL = ROOT.parent / "shared" / "realdata" / "jia_topk_cifar_sigma025_counts.txt"


def make_predicate(kind: str, m: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    base = [[int(x) for x in line.split()] for line in REAL.read_text().splitlines()]
    top1 = kind == "top1"
    spec = CertificationSpec(
        family="gaussian",
        radius_method="cohen" if top1 else "topk",
        interval="cp" if top1 else "simuem",
        alpha="0.001",
        k=1 if top1 else 3,
        sigma="0.25",
        num_classes=10,
    )
    entries = []
    for i in range(m):
        row = base[i % len(base)]
        p = np.array(row[:10], dtype=float) + 1.0
        counts = [int(c) for c in rng.multinomial(100000, p / p.sum())]
        label = row[10] if not top1 else int(np.argmax(counts))
        d = derive(spec, Evidence(label=label, n=100000, counts=tuple(counts)), FLOAT)
        claim = (
            {"abstain": True, "label": None, "radius": None}
            if d.radius is None
            else {"abstain": False, "label": label, "radius": decimal_string(Fraction(d.radius), 6, "down")}
        )
        sel = [0] * 10
        sel[label] = 100
        entries.append(
            {
                "id": f"bench:{i}",
                "input_sha256": None,
                "true_label": row[10],
                "seed": i,
                "selection_counts": sel if top1 else None,
                "counts": counts,
                "scores": None,
                "claim": claim,
            }
        )
    pred = to_builtins(
        gaussian_l2_predicate(
            tool="bench",
            source="scripts/bench_verify.py",
            sigma="0.25",
            k=spec.k,
            radius_method=spec.radius_method,
            statistics=single_bound_statistics(
                alpha="0.001",
                interval=spec.interval,
                bound="all",
                n0=100 if top1 else None,
                n=100000,
                num_classes=10,
            ),
            entries=[],
        )
    )
    pred["entries"] = entries
    pred["tool"]["version"] = "0"
    pred["created"] = "2026-11-21T12:00:00Z"
    pred["sampler"] = {**pred["sampler"], "software": {}, "base_seed": 0}
    return pred


def float_path(pred: dict) -> float:
    gu, st = pred["guarantee"], pred["statistics"]
    spec = CertificationSpec(
        family="gaussian",
        radius_method=gu["radius_method"],
        interval=st["interval"],
        alpha=st["alpha"],
        k=gu["k"],
        sigma="0.25",
        num_classes=10,
    )
    t = time.perf_counter()
    for e in pred["entries"]:
        if not e["claim"]["abstain"]:
            derive(spec, Evidence(label=e["claim"]["label"], n=100000, counts=tuple(e["counts"])), FLOAT)
    return time.perf_counter() - t


def clear_caches() -> None:
    """Empty the per-process memo tables, so that no measurement (and no forked worker) starts warm."""
    _binomial._cp_lower_value.cache_clear()
    _binomial._cp_upper_value.cache_clear()
    _binomial._tail.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10000)
    ap.add_argument("--kinds", default="top1,top3")
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    for kind in args.kinds.split(","):
        pred = make_predicate(kind, args.entries)
        subject = [{"name": "m", "digest": {"sha256": "0" * 64}}]
        stmt = decode_statement({"_type": STATEMENT_TYPE, "subject": subject, "predicateType": PREDICATE_TYPE,
                                 "predicate": pred})  # fmt: skip
        m = len(pred["entries"])
        tf = float_path(pred)
        print(f"{kind}: {m} entries; float path (derive only): {tf:.2f} s = {m / tf:.0f} entries/s")
        for w in (int(x) for x in args.workers.split(",")):
            clear_caches()
            t = time.perf_counter()
            rep = verify_statement(stmt, "bench", VerifyOptions(workers=w, slack=False, precision=50))
            dt = time.perf_counter() - t
            print(
                f"{kind}: 50 digits, {w} process(es): {dt:.2f} s = {m / dt:.0f} entries/s; "
                f"passed={rep.passed} {dict((k, v) for k, v in rep.counts().items() if v)}"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
