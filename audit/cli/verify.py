"""``audit verify CERT... [--key PUB] [--policy TOML] [--model PATH] [--json] [--junit F] [--sarif F]``.

Exit 0 only if every file, entry and gate passed; 1 on any verification or policy failure; 2 on usage or
unreadable input (InputError/UsageError propagate to the dispatcher) and when a document contradicts itself
(counts not adding up to n, labels out of range, ...): then one line per such problem is printed on stderr
(``audit: error: FILE: entry I: field 'F': ...``) instead of the table, and the JSON / JUnit / SARIF reports
are still written with the per-entry verdicts. Rich table on stderr; JSON on stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from audit.errors import UsageError
from audit.verify.pipeline import DEFAULT_DPS, VerifyOptions, verify_file
from audit.verify.policy import load_policy
from audit.verify.reports import write_text_atomic
from audit.verify.reports.console import render_console
from audit.verify.reports.json_report import render_json
from audit.verify.reports.junit import render_junit
from audit.verify.reports.sarif import render_sarif


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "verify",
        help="verify certificate files (signature, evidence, protocol, exact re-derivation, policy gates)",
        description=__doc__,
    )
    p.add_argument("certs", nargs="+", metavar="CERT", help="certificate file(s)")
    p.add_argument("--key", action="append", default=[], metavar="PUB", help="trusted public key (repeat)")
    p.add_argument("--policy", metavar="TOML", help="policy file: keys, alpha/n/interval limits, gates")
    p.add_argument("--model", action="append", default=[], metavar="PATH", help="recompute model digests")
    p.add_argument("--allow-unsigned", action="store_true", help="accept unsigned / untrusted-key files")
    p.add_argument("--precision", type=int, default=None, help=f"decimal digits (default {DEFAULT_DPS})")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    p.add_argument("--no-slack", action="store_true", help="skip the informational alternative-method radii")
    p.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML (one case per entry and gate)")
    p.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 (one result per finding)")
    p.add_argument("--quiet", action="store_true", help="no table on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy) if args.policy else None
    precision = args.precision or (policy.precision if policy and policy.precision else DEFAULT_DPS)
    if precision < 20 or precision > 2000:
        raise UsageError("--precision must be between 20 and 2000 digits")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be >= 1")
    opts = VerifyOptions(
        trusted_keys=tuple(args.key),
        allow_unsigned=args.allow_unsigned,
        policy=policy,
        model_paths=tuple(args.model),
        precision=precision,
        workers=args.workers,
        slack=not args.no_slack,
    )
    reports = [verify_file(c, opts) for c in args.certs]
    structural = [f.location_line(r.path) for r in reports for f in r.structural_findings()]
    for line in structural:
        print(f"audit: error: {line}", file=sys.stderr)
    if not args.quiet and not structural:
        render_console(reports, sys.stderr)
    if args.json:
        sys.stdout.write(render_json(reports))
    if args.junit:
        write_text_atomic(args.junit, render_junit(reports))
    if args.sarif:
        write_text_atomic(args.sarif, render_sarif(reports))
    return max(r.exit_code for r in reports)
