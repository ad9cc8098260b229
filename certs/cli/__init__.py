"""``certs`` command line: a thin dispatcher (see :mod:`audit.cli` for the conventions)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from audit.errors import run_guarded
from certs import __version__

SUBCOMMANDS = ("keys", "certify", "replay")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certs", description="Issue signed randomized-smoothing certificates."
    )
    parser.add_argument("--version", action="version", version=f"certs {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"certs.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded("certs", args.func, args)


if __name__ == "__main__":
    sys.exit(main())
