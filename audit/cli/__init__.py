"""``audit`` command line: a thin dispatcher over the library API.

Each subcommand lives in its own module ``audit.cli.<name>`` exposing ``register(subparsers)``, which adds
its parser and sets ``func(args) -> int``. Exit codes: 0 pass, 1 verification/policy failure, 2 usage or
unreadable input. Human output on stderr, machine output (``--json``) on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from audit import __version__
from audit.errors import run_guarded

SUBCOMMANDS = ("radius", "verify", "import_", "consistency", "methods")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="audit", description="Verify randomized-smoothing robustness certificates."
    )
    parser.add_argument("--version", action="version", version=f"audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"audit.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded("audit", args.func, args)


if __name__ == "__main__":
    sys.exit(main())
