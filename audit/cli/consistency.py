"""``audit consistency LOG --sigma S``: which (alpha, n) pairs can produce every printed radius.

Exit 0 if at least one pair in the grid explains the log, 1 if none does, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from audit.errors import UsageError
from audit.format.numbers import NumberError, int_list
from audit.importers.consistency import DEFAULT_ALPHAS, DEFAULT_NS, consistency_grid


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of the subcommand (its name and one-line help: ``audit.cli.COMMANDS``)."""
    p.add_argument("log", metavar="LOG", help="certify.py log (tab separated)")
    p.add_argument("--sigma", required=True, help="noise level of the log")
    p.add_argument("--alphas", default=",".join(DEFAULT_ALPHAS), help="comma-separated alpha grid")
    p.add_argument("--ns", default=",".join(str(n) for n in DEFAULT_NS), help="comma-separated n grid")
    p.add_argument("--json", action="store_true", help="machine-readable result on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        alphas = tuple(a.strip() for a in args.alphas.split(",") if a.strip())
        ns = tuple(int_list(args.ns, what="--ns"))
    except NumberError as exc:
        raise UsageError(f"bad grid: {exc.message}") from None
    if not alphas or not ns or any(n < 1 for n in ns):
        raise UsageError("the grid needs at least one alpha and one positive n")
    results = consistency_grid(args.log, args.sigma, alphas, ns)
    for r in results:
        mark = "consistent" if r.consistent else f"no: {r.first_failure} unreachable"
        print(f"alpha={r.alpha:<8} n={r.n:<8} max radius {r.max_radius:<10} {mark}", file=sys.stderr)
    good = [r for r in results if r.consistent]
    if good:
        pairs = ", ".join(f"(alpha={r.alpha}, n={r.n})" for r in good)
        print(f"settings that reproduce every printed radius: {pairs}", file=sys.stderr)
    else:
        print("no (alpha, n) in the grid reproduces every printed radius", file=sys.stderr)
    if args.json:
        doc = [r.__dict__ for r in results]
        sys.stdout.write(json.dumps(doc, indent=2, allow_nan=False) + "\n")
    return 0 if good else 1
