"""``audit`` command line: a thin dispatcher over the library API.

Each subcommand lives in its own module ``audit.cli.<module>`` exposing ``configure(parser)``, which adds its
arguments and sets ``func(args) -> int``; its name and one-line help are :data:`COMMANDS`'. Only the module of
the command being run is imported (``audit --version`` imports no numerics; ``tests/test_layering.py``).
Exit codes: 0 pass, 1 verification/policy failure, 2 usage or unreadable input, 130 Ctrl-C, 143 SIGTERM.
Human output on stderr, machine output (``--json``) on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from audit import __version__
from audit.errors import run_guarded

COMMANDS: dict[str, tuple[str, str]] = {  # name: (module under audit.cli, one-line help)
    "radius": ("radius", "compute bounds and certified radius from counts or from given bounds"),
    "verify": (
        "verify",
        "verify certificate files (signature, evidence, protocol, exact re-derivation, policy gates)",
    ),
    "import": ("import_", "turn published certify logs / counts into certificates"),
    "consistency": ("consistency", "which (alpha, n) settings reproduce a Cohen log's radii"),
    "methods": ("methods", "list the radius and interval methods (the registry), with their guarantees"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``only``, just that subcommand's module is imported and configured (the others
    are listed by name and help), so ``audit --version`` or ``audit verify`` loads no more than it needs."""
    parser = argparse.ArgumentParser(
        prog="audit", description="Verify randomized-smoothing robustness certificates."
    )
    parser.add_argument("--version", action="version", version=f"audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if only is None or only == name:
            importlib.import_module(f"audit.cli.{module}").configure(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), "")  # "" configures none: --help, --version
    args = build_parser(command if command in COMMANDS else "").parse_args(words)
    return run_guarded("audit", args.func, args)


if __name__ == "__main__":
    sys.exit(main())
