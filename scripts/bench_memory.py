"""Peak memory of `audit verify` end to end on valid signed certificates of growing size.

``python scripts/bench_memory.py [--entries 15000,150000]``: for each size, writes a certificate (the sample
Gaussian predicate of the tests, its first entry repeated with distinct ids, inputs and seeds, signed with
the test key), then runs the installed ``audit`` CLI as a user would (``--quiet``, and ``--json`` to a file)
and reads the child's peak RSS (``getrusage``). The start-up floor is ``audit --version``'s peak. Prints a
markdown table: file size, peak RSS, and (peak - floor) / file size.
"""

from __future__ import annotations

import argparse
import copy
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "format")]

from documents import statement_dict  # noqa: E402
from format_samples import SUBJECTS, family  # noqa: E402
from harness import sign_payload  # noqa: E402

from audit.format.io import dumps_json  # noqa: E402

PUB = str(ROOT / "cases" / "keys" / "test-release.pub")


def write_certificate(path: Path, entries: int) -> int:
    pred = family("gaussian")
    first = pred["entries"][0]
    pred["entries"] = []
    for i in range(entries):
        e = copy.deepcopy(first)
        e.update(id=f"bench:{i}", seed=i, input_sha256=f"{i:064x}")
        e["claim"]["radius"] = "0.2"
        pred["entries"].append(e)
    pred["summary"]["certified_accuracy"] = []
    sign_payload(path, dumps_json(statement_dict(pred, SUBJECTS)))
    return path.stat().st_size


def peak_mib(argv: list[str], stdout: Path | None = None) -> tuple[float, float, int]:
    """(peak RSS MiB, wall s, exit code) of one CLI run in a fresh child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    with open(stdout or "/dev/null", "wb") as out:
        code = subprocess.run(argv, stdout=out, stderr=subprocess.DEVNULL, check=False).returncode
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert after >= before, "run the sizes in increasing order (ru_maxrss of children is a running max)"
    return after / 1024, wall, code


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entries", default="15000,150000")
    args = ap.parse_args()
    audit = [sys.executable, "-m", "audit.cli"]
    floor, _, _ = peak_mib([*audit, "--version"])
    print(f"start-up floor (`audit --version`): {floor:.0f} MiB\n")
    print("| entries | file MiB | command | peak RSS MiB | (peak - floor) / file | wall s | exit |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.entries.split(",")):
            cert = Path(tmp) / f"c{n}.json"
            size = write_certificate(cert, n) / 2**20
            verify = [*audit, "verify", str(cert), "--key", PUB, "--workers", "1"]
            for label, extra, out in (("--quiet", ["--quiet"], None), ("--json", ["--json", "--quiet"],
                                      Path(tmp) / "r.json")):  # fmt: skip
                peak, wall, code = peak_mib([*verify, *extra], out)
                ratio = (peak - floor) / size
                ratio_text, wall_text = f"{ratio:.1f}x", f"{wall:.1f}"
                cells = (n, f"{size:.1f}", "verify " + label, f"{peak:.0f}", ratio_text, wall_text, code)
                row = "| " + " | ".join(map(str, cells)) + " |"
                print(row, flush=True)


if __name__ == "__main__":
    main()
