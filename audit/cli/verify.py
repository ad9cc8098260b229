"""``audit verify CERT... [--key PUB] [--policy TOML] [--model PATH] [--json] [--junit F] [--sarif F]``.

Exit 0 only if every file, entry and gate passed; 1 on any verification or policy failure; 2 on usage errors
(bad options, keys, policy, report paths that cannot be written: checked before anything is verified), on
unreadable input and when a document contradicts itself (counts not adding up to n, labels out of range,
...). An unreadable certificate does not stop the others: it gets one line ``audit: error: FILE: ...`` on
stderr and an error entry (``"error"``) in the JSON / JUnit / SARIF reports, which still carry every other
file. A self-contradicting document gets one line per problem
(``audit: error: FILE: entry I: field 'F': ...``) instead of the table, and its per-entry verdicts in the
reports. Rich table on stderr; JSON on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys

from audit.errors import InputError, NumericError, UsageError
from audit.escape import terminal
from audit.format import load_public_key
from audit.format.numbers import int_arg
from audit.reports import check_output_path, write_text_atomic
from audit.reports.console import render_console
from audit.reports.json_report import write_json
from audit.reports.junit import render_junit
from audit.reports.sarif import render_sarif
from audit.verify.pipeline import DEFAULT_DPS, VerifyOptions, verify_file
from audit.verify.policy import load_policy
from audit.verify.verdicts import FileReport


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of the subcommand (its name and one-line help: ``audit.cli.COMMANDS``)."""
    p.description = __doc__
    p.add_argument("certs", nargs="+", metavar="CERT", help="certificate file(s)")
    p.add_argument("--key", action="append", default=[], metavar="PUB", help="trusted public key (repeat)")
    p.add_argument("--policy", metavar="TOML", help="policy file: keys, alpha/n/interval limits, gates")
    p.add_argument("--model", action="append", default=[], metavar="PATH", help="recompute model digests")
    p.add_argument("--allow-unsigned", action="store_true", help="accept unsigned / untrusted-key files")
    p.add_argument(
        "--precision", type=int_arg(), default=None, help=f"decimal digits (default {DEFAULT_DPS})"
    )
    p.add_argument("--workers", type=int_arg(), default=None, help="processes (default: all CPUs)")
    p.add_argument("--no-slack", action="store_true", help="skip the informational alternative-method radii")
    p.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML (one case per entry and gate)")
    p.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 (one result per finding)")
    p.add_argument("--quiet", action="store_true", help="no table on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy) if args.policy else None
    if args.precision is not None:
        precision = args.precision
    elif policy is not None and policy.precision is not None:
        precision = policy.precision
    else:
        precision = DEFAULT_DPS
    if precision < 20 or precision > 2000:
        raise UsageError("--precision must be between 20 and 2000 digits")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be >= 1")
    for option, path in (("--junit", args.junit), ("--sarif", args.sarif)):
        if path is not None:
            check_output_path(path, f"the {option} report")
    # problems with keys or model paths concern every file: refuse them once, before verifying anything
    keys = [load_public_key(k) for k in args.key]
    for k in policy.trusted_keys if policy is not None else ():
        load_public_key(k)
    for mp in args.model:
        if not os.path.exists(mp):
            raise InputError("model file not found", file=mp)
    opts = VerifyOptions(
        trusted_keys=tuple(keys),
        allow_unsigned=args.allow_unsigned,
        policy=policy,
        model_paths=tuple(args.model),
        precision=precision,
        workers=args.workers,
        slack=not args.no_slack,
    )
    reports = []
    for c in args.certs:
        try:
            reports.append(verify_file(c, opts))
        except (InputError, NumericError) as exc:  # this file only; the others are still verified
            reports.append(FileReport.unreadable(os.fspath(c), str(exc), precision=precision))
    structural = False
    for r in reports:  # one line per unreadable file or self-contradiction, in file order
        if r.error is not None:
            print(f"audit: error: {terminal(r.error)}", file=sys.stderr)
        for f in r.structural_findings():
            structural = True
            print(f"audit: error: {terminal(f.location_line(r.path))}", file=sys.stderr)
    readable = [r for r in reports if r.error is None]
    if not args.quiet and not structural and readable:
        render_console(readable, sys.stderr)
    if args.json:
        write_json(reports, sys.stdout)
    if args.junit:
        write_text_atomic(args.junit, render_junit(reports))
    if args.sarif:
        write_text_atomic(args.sarif, render_sarif(reports))
    return max(r.exit_code for r in reports)
