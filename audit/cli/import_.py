"""``audit import cohen LOG ...`` / ``audit import jia-topk COUNTS ...``: published outputs → certificates.

The certificate is written atomically to ``--out`` (signed with ``--sign-key`` if given, else unsigned; check
it with ``audit verify OUT --allow-unsigned``). A summary goes to stderr. Exit 0 when every row was
reproduced, 1 when some printed radius no count can produce (the certificate is still written, and
``audit verify`` explains each such row), 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

from audit.errors import UsageError
from audit.escape import terminal
from audit.format import build_statement, load_private_key, write_certificate
from audit.format.numbers import NumberError, decimal_string, int_arg, parse_decimal
from audit.importers.cohen import import_cohen, largest_radius
from audit.importers.jia import import_jia_topk

_positive_int = int_arg(1)


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of the subcommand (its name and one-line help: ``audit.cli.COMMANDS``)."""
    sub = p.add_subparsers(dest="importer", required=True, metavar="FORMAT")
    c = sub.add_parser("cohen", help="Cohen et al. certify.py log")
    c.add_argument("log", metavar="LOG")
    c.add_argument("--sigma", required=True)
    c.add_argument("--n", type=_positive_int, required=True)
    c.add_argument("--alpha", required=True)
    c.add_argument("--n0", type=_positive_int, default=100)
    c.add_argument(
        "--num-classes",
        type=_positive_int,
        default=None,
        help="class count (default: the largest label or prediction in the log + 1, said on stderr)",
    )
    c.add_argument("--out", required=True, metavar="CERT")
    c.add_argument("--sign-key", metavar="KEY", help="Ed25519 private key (PEM) to sign with")
    c.add_argument("--precision", type=int_arg(), default=50)
    c.set_defaults(func=run_cohen)
    j = sub.add_parser("jia-topk", help="Jia et al. top-k count vectors (last column = label)")
    j.add_argument("counts", metavar="COUNTS")
    j.add_argument("--sigma", required=True)
    j.add_argument("--k", type=_positive_int, required=True)
    j.add_argument("--alpha", required=True)
    j.add_argument("--radii", metavar="RESULT", help="their result file (idx, radius) to take claims from")
    j.add_argument("--out", required=True, metavar="CERT")
    j.add_argument("--sign-key", metavar="KEY")
    j.set_defaults(func=run_jia)


def _check_alpha(alpha: str) -> None:
    try:
        a = parse_decimal(alpha)
    except NumberError as exc:
        raise UsageError(f"--alpha: {exc.message}") from None
    if not 0 < a < 1:
        raise UsageError("--alpha must be in (0, 1)")


def _check_sigma(sigma: str) -> None:
    try:
        s = parse_decimal(sigma)
    except NumberError as exc:
        raise UsageError(f"--sigma: {exc.message}") from None
    if not s > 0:
        raise UsageError("--sigma must be > 0")


def run_cohen(args: argparse.Namespace) -> int:
    _check_alpha(args.alpha)
    _check_sigma(args.sigma)
    if args.precision < 20:
        raise UsageError("--precision must be >= 20")
    key = load_private_key(args.sign_key) if args.sign_key else None
    pred, subjects, matches = import_cohen(
        args.log,
        sigma=args.sigma,
        n=args.n,
        alpha=args.alpha,
        n0=args.n0,
        num_classes=args.num_classes,
        dps=args.precision,
    )
    write_certificate(args.out, build_statement(pred, subjects), key)
    bad = [m for m in matches if not m.row.abstain and m.count is None]
    certified = [m for m in matches if not m.row.abstain]
    log = terminal(args.log)
    if args.num_classes is None:
        c = pred.statistics.num_classes
        print(f"{log}: assuming {c} classes (largest label seen + 1); give --num-classes to state it",
              file=sys.stderr)  # fmt: skip
    top = largest_radius(parse_decimal(args.sigma), args.n, parse_decimal(args.alpha), args.precision)
    top_text = decimal_string(top, 6, "down") if top is not None else "none"
    print(
        f"{log}: {len(matches)} rows, {len(certified)} certified, {len(bad)} printed radii that no "
        f"count reproduces at n={args.n}, alpha={args.alpha} (largest reachable radius {top_text}); "
        f"wrote {terminal(args.out)}",
        file=sys.stderr,
    )
    for m in bad[:10]:
        over = " (above the largest reachable radius)" if top is not None and m.lo > top else ""
        print(f"  line {m.row.line}: idx {m.row.idx} radius {m.row.radius}{over}", file=sys.stderr)
    if len(bad) > 10:
        print(f"  ... {len(bad) - 10} more", file=sys.stderr)
    return 1 if bad else 0


def run_jia(args: argparse.Namespace) -> int:
    _check_alpha(args.alpha)
    _check_sigma(args.sigma)
    key = load_private_key(args.sign_key) if args.sign_key else None
    pred, subjects = import_jia_topk(
        args.counts, sigma=args.sigma, k=args.k, alpha=args.alpha, radii_file=args.radii
    )
    write_certificate(args.out, build_statement(pred, subjects), key)
    n_claims = sum(1 for e in pred.entries if not e.claim.abstain)
    where, out = terminal(args.counts), terminal(args.out)
    print(f"{where}: {len(pred.entries)} rows, {n_claims} claims; wrote {out}", file=sys.stderr)
    return 0
