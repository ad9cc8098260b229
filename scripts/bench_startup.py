"""Start-up of the `audit` CLI, as a user runs it: wall time and peak RSS of whole commands, side by side.

``python scripts/bench_startup.py [--baseline DIR] [--repeat 7]``: each command runs ``--repeat`` times in a
fresh interpreter (``python -S -m audit.cli ...``, ``PYTHONPATH`` = this checkout, or ``DIR``, another
checkout, then site-packages); prints the median wall time, the peak RSS and the ratio to the baseline, as a
markdown table. ``python -c pass`` is the interpreter's own floor.
"""

from __future__ import annotations

import argparse
import os
import site
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CERT, KEY = "cases/valid_top1.json", "cases/keys/test-release.pub"
VERIFY_OPTIONS = ["--workers", "1", "--quiet"]
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "audit --version": ["-m", "audit.cli", "--version"],
    "audit --help": ["-m", "audit.cli", "--help"],
    "audit methods --json": ["-m", "audit.cli", "methods", "--json"],
    "audit verify (2 entries)": [
        "-m",
        "audit.cli",
        "verify",
        CERT,
        "--key",
        KEY,
        "--workers",
        "1",
        "--quiet",
    ],
}


def measure(tree: Path, argv: list[str], repeat: int) -> tuple[float, float]:
    """(median wall s, peak RSS MiB) of ``python ARGV`` importing the project from ``tree``."""
    # -S, site-packages on PYTHONPATH: else the editable install's import hook wins over the tree
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), *site.getsitepackages()])}
    walls, peaks = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-S", *argv], cwd=tree, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        peaks.append(usage.ru_maxrss / 1024)
        assert os.waitstatus_to_exitcode(status) == 0, argv
    return statistics.median(walls), max(peaks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline", type=Path, help="another checkout to compare with, in the same run")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    head = "| command | wall s (median) | peak RSS MiB |"
    if args.baseline:
        head += " baseline wall s | baseline RSS MiB | speed-up |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for label, argv in COMMANDS.items():
        wall, rss = measure(ROOT, argv, args.repeat)
        row = f"| {label} | {wall:.2f} | {rss:.0f} |"
        if args.baseline:
            b_wall, b_rss = measure(args.baseline, argv, args.repeat)
            row += f" {b_wall:.2f} | {b_rss:.0f} | {b_wall / wall:.1f}x |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
