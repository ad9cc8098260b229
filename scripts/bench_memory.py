"""Peak memory of `audit verify` end to end on valid signed certificates of growing size.

``python scripts/bench_memory.py [--entries 15000,150000]``: for each size, writes a certificate (the sample
Gaussian predicate of the tests, its first entry repeated with distinct ids, inputs and seeds, signed with
the test key), then runs the ``audit`` CLI as a user would (``--quiet``; ``--json`` to a file; and the same
file with a flipped signature bit) and reads the child's peak RSS (``getrusage``). The start-up floor is the
peak of ``audit verify --help`` (the verify command's modules loaded, nothing read). Prints a
markdown table: file size, peak RSS, and (peak - floor) / file size.
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import os
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


def write_bad_signature(cert: Path, bad: Path) -> None:
    """``cert`` with one bit of its signature flipped (same size; rejected before the payload is parsed)."""
    doc = json.loads(cert.read_bytes())
    sig = bytearray(base64.b64decode(doc["signatures"][0]["sig"]))
    sig[0] ^= 1
    doc["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
    bad.write_text(json.dumps(doc, indent=2))


def peak_mib(argv: list[str], stdout: Path | None = None) -> tuple[float, float, int]:
    """(peak RSS MiB, wall s, exit code) of one CLI run in a fresh child process (its own rusage)."""
    t = time.perf_counter()
    with open(stdout or "/dev/null", "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    return usage.ru_maxrss / 1024, wall, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entries", default="15000,150000")
    ap.add_argument("--write", nargs=2, metavar=("PATH", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write:  # in a child, so this process stays small: a fork inherits the parent's peak RSS
        write_certificate(Path(args.write[0]), int(args.write[1]))
        write_bad_signature(Path(args.write[0]), Path(args.write[0]).with_suffix(".bad.json"))
        return
    audit = [sys.executable, "-m", "audit.cli"]
    floor, _, _ = peak_mib([*audit, "verify", "--help"])  # the verify command's modules, loaded
    print(f"start-up floor (`audit verify --help`): {floor:.0f} MiB\n")
    print("| entries | file MiB | command | peak RSS MiB | (peak - floor) / file | wall s | exit |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.entries.split(",")):
            cert = Path(tmp) / f"c{n}.json"
            subprocess.run([sys.executable, __file__, "--write", str(cert), str(n)], check=True)
            size, bad = cert.stat().st_size / 2**20, cert.with_suffix(".bad.json")
            verify = [*audit, "verify", "--key", PUB, "--workers", "1"]
            runs = (("--quiet", [str(cert), "--quiet"], None), ("--json", [str(cert), "--json", "--quiet"],
                    Path(tmp) / "r.json"), ("bad signature", [str(bad), "--quiet"], None))  # fmt: skip
            for label, extra, out in runs:
                peak, wall, code = peak_mib([*verify, *extra], out)
                ratio = (peak - floor) / size
                ratio_text, wall_text = f"{ratio:.1f}x", f"{wall:.1f}"
                cells = (n, f"{size:.1f}", "verify " + label, f"{peak:.0f}", ratio_text, wall_text, code)
                row = "| " + " | ".join(map(str, cells)) + " |"
                print(row, flush=True)


if __name__ == "__main__":
    main()
