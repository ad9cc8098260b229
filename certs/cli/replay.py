"""``certs replay``: re-sample a certificate's entries from their seeds and compare the evidence.

A thin face over :func:`certs.replay.replay`. Exit 0 when every replayed entry matches (or is within
``--tolerance``), 1 when one does not or the signature is rejected, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction

from audit.format.numbers import decimal_arg, int_arg


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "replay",
        help="re-sample a certificate from its recorded seeds and compare its counts",
        description="Re-run every entry's selection and estimation draws from its recorded seed with the "
        "certificate's noise, chunk size, dtype and graph kind, on the model and data given, and compare "
        "the counts (and soft score sums) exactly. Needs the model the certificate names (sha256) and the "
        "data its entries came from (input sha256 per entry).",
    )
    p.add_argument("cert", help="certificate written by certs certify")
    p.add_argument("--model", required=True, help="the certificate's model (TorchScript or .safetensors)")
    p.add_argument("--model-builder", metavar="MODULE:FUNCTION", help="builds the module for safetensors")
    p.add_argument("--data", required=True, help="the .npz / .safetensors the entries were drawn from")
    p.add_argument("--key", action="append", default=[], metavar="PUB", help="trusted public key (repeat)")
    p.add_argument("--allow-unsigned", action="store_true", help="accept unsigned / untrusted-key files")
    p.add_argument("--entries", help="certificate entries to replay, by position, e.g. 0-9,12 (default all)")
    p.add_argument("--device", default="cpu", help="cpu | cuda[:i] | auto (default cpu)")
    p.add_argument("--batch-size", type=int_arg(1), help="model batch size (default: the recorded one)")
    p.add_argument(
        "--tolerance",
        type=decimal_arg(Fraction(0), Fraction(1)),
        default=0.0,
        help="accept an entry as 'close' when at most this fraction of its labels moved (float rounding on "
        "other kernels or devices); default 0: exact",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from audit.escape import terminal
    from certs.progress import CertifyProgress
    from certs.replay import replay

    with CertifyProgress(enabled=not args.quiet, label="replay") as bar:
        report = replay(
            args.cert,
            args.model,
            args.data,
            trusted_keys=args.key,
            allow_unsigned=args.allow_unsigned,
            builder=args.model_builder,
            entries=args.entries,
            device=args.device,
            batch_size=args.batch_size,
            tolerance=float(args.tolerance),
            progress=bar,
        )
    if args.json:
        print(json.dumps(report.to_json(), allow_nan=False, indent=2))
        return report.exit_code
    console = Console(file=sys.stdout)
    counts = report.counts()
    shown = [e for e in report.entries if e.status != "match"]
    if shown:
        table = Table(title=f"{escape(terminal(report.path))}: entries that did not replay exactly")
        for col in ("entry", "id", "status", "labels moved", "what differed"):
            table.add_column(col)
        for e in shown:
            cells = (str(e.index), e.id, e.status, str(e.moved), e.detail)
            table.add_row(*(Text(terminal(c)) for c in cells))  # ids come from the certificate
        console.print(table)
    verdict = "PASS" if report.passed else "FAIL"
    console.print(
        f"{verdict} {terminal(report.path)}: signature {report.signature}; "
        + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        + f" of {len(report.entries)} replayed entries ({report.settings.get('graph', '-')}, "
        f"batch {report.settings.get('batch_size', '-')}, {report.settings.get('device', '-')})",
        highlight=False,
        markup=False,
    )
    return report.exit_code
