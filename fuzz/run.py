"""Run one atheris (libFuzzer) target: ``python -m fuzz.run TARGET [--seconds N] [--runs N] [--seed S]``.

The corpus lives in ``build/fuzz/corpus/TARGET`` (seeded on first use from the project's own cases and, for
the importers, the head of the published logs in ../shared/realdata, read in place; nothing third-party is
written into the repository). A finding is written to ``build/fuzz/crashes/`` and the process exits non-zero.
Limits per input: 30 s (``-timeout``), 3 GiB RSS (``-rss_limit_mb``), 64 KiB (``-max_len``).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["audit"]):
    from fuzz.targets import TARGETS

from fuzz import BUILD, ROOT

REALDATA = ROOT.parent / "shared" / "realdata"
HEADER = b"idx\tlabel\tpredict\tradius\tcorrect\ttime\n"


def _seeds(target: str) -> list[bytes]:
    if target == "certificate":
        return [p.read_bytes() for p in sorted((ROOT / "cases").glob("*.json")) if p.stat().st_size < 65536]
    if target == "statement":
        docs = sorted((ROOT / "cases").glob("*.json"))
        return [
            _payload(p.read_bytes())
            for p in docs
            if p.stat().st_size < 65536 and b'"payload"' in p.read_bytes()
        ]
    if target == "sidecar":
        return [p.read_bytes() for p in sorted((ROOT / "cases" / "sidecars").iterdir()) if p.is_file()]
    if target == "cohen_log":
        own = [HEADER + b"0\t3\t3\t0.5\t1\t0:00:01\n1\t2\t-1\t0.0\t0\t0:00:01\n"]
        logs = sorted(REALDATA.rglob("*.tsv"))[:4] if REALDATA.is_dir() else []
        return own + [b"".join(p.read_bytes().splitlines(keepends=True)[:20]) for p in logs]
    if target == "jia_counts":
        return [b"90 5 5 0\n80 15 5 1\n", b"500 300 200 0\n"]
    if target == "policy":
        return [(ROOT / "tests" / "golden" / "policy.toml").read_bytes(), b"[statistics]\nmin_entries = 0\n"]
    return []


def _payload(envelope: bytes) -> bytes:
    try:
        return base64.b64decode(json.loads(envelope)["payload"])
    except (ValueError, KeyError, TypeError):
        return envelope


def corpus_dir(target: str, d: Path | None = None) -> Path:
    """The target's corpus folder (default ``build/fuzz/corpus/TARGET``), seeded when empty."""
    d = d or BUILD / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    if not any(d.iterdir()):
        for i, seed in enumerate(_seeds(target)):
            (d / f"seed-{i}").write_bytes(seed)
    return d


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__)
    ap.add_argument("target", choices=sorted(TARGETS))
    ap.add_argument("--seconds", type=int, default=60, help="time budget (default 60)")
    ap.add_argument("--runs", type=int, help="stop after this many inputs")
    ap.add_argument("--seed", type=int, default=0, help="libFuzzer seed (0: random)")
    ap.add_argument("--corpus", type=Path, help="corpus folder (default build/fuzz/corpus/TARGET)")
    args = ap.parse_args(argv)
    (BUILD / "crashes").mkdir(parents=True, exist_ok=True)
    flags = [
        sys.argv[0],
        str(corpus_dir(args.target, args.corpus)),
        f"-max_total_time={args.seconds}",
        f"-seed={args.seed}",
        "-timeout=30",
        "-rss_limit_mb=3072",
        "-max_len=65536",
        "-print_final_stats=1",
        f"-artifact_prefix={BUILD / 'crashes'}/{args.target}-",
    ]
    if args.runs is not None:
        flags.append(f"-runs={args.runs}")
    atheris.Setup(flags, TARGETS[args.target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
