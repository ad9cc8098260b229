"""``make fuzz``: every target in turn for a bounded time; one summary line per target, exit 1 on a finding.

``python -m fuzz.all [--seconds N] [--seed S]``: each target runs in its own process (libFuzzer exits when
done) for N seconds (default 60); the summary gives the inputs executed, the corpus size after the run, and
the findings (files in build/fuzz/crashes/).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

from fuzz import BUILD

# The targets of fuzz/targets.py (not imported: importing it here would load the audit modules uninstrumented
# in this process, which does not fuzz; a test checks the two lists agree).
TARGETS = ("certificate", "statement", "sidecar", "cohen_log", "jia_counts", "policy")


def run_target(name: str, seconds: int, seed: int) -> tuple[int, int, int, int]:
    """(exit code, inputs executed, corpus files, corpus bytes) of one target's run."""
    cmd = [sys.executable, "-m", "fuzz.run", name, "--seconds", str(seconds), "--seed", str(seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    m = re.search(r"stat::number_of_executed_units: (\d+)", proc.stderr)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
    files = [p for p in (BUILD / "corpus" / name).iterdir() if p.is_file()]
    return proc.returncode, int(m.group(1)) if m else 0, len(files), sum(p.stat().st_size for p in files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz.all", description=__doc__)
    ap.add_argument("--seconds", type=int, default=60, help="per target (default 60)")
    ap.add_argument("--seed", type=int, default=0, help="libFuzzer seed (0: random)")
    args = ap.parse_args(argv)
    failed = 0
    print(f"{'target':<12} {'inputs':>10} {'corpus':>7} {'bytes':>10}  result")
    for name in TARGETS:
        code, runs, files, size = run_target(name, args.seconds, args.seed)
        failed += code != 0
        result = "ok" if code == 0 else f"FINDING (exit {code}, see build/fuzz/crashes/)"
        print(f"{name:<12} {runs:>10} {files:>7} {size:>10}  {result}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
