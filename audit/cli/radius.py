"""``audit radius``: confidence bounds and certified radius from evidence (counts) or from given bounds.

Thin face over :mod:`audit.theory`. Numbers in ``--json`` output are decimal strings: lower bounds rounded
down, upper bounds rounded up, radii rounded toward zero, at the backend's digits (``--precision``, default
50) or 17 digits for ``--float``. Human table (rich) on stderr, JSON on stdout. Exit 0, or 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import Any

from audit.errors import UsageError
from audit.format.numbers import NumberError, decimal_string, parse_decimal
from audit.theory import (
    DEFAULT_DPS,
    FLOAT,
    Backend,
    CertificationSpec,
    Evidence,
    ablation_radius,
    cohen_radius,
    derive,
    laplace_binary_radius,
    laplace_radius,
    lecuyer_radius,
    levine_feizi_radius,
    mp_backend,
    topk_radius,
)

FAMILIES = {"gaussian-l2": "gaussian", "ablation-l0": "ablation", "laplace-l1": "laplace"}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "radius",
        help="compute bounds and certified radius from counts or from given bounds",
        description="Compute confidence bounds and the certified radius (evidence mode: --n/--alpha with "
        "--count or --counts/--label; bounds mode: --lower [--upper]).",
    )
    p.add_argument("--family", required=True, choices=sorted(FAMILIES))
    p.add_argument("--method", help="radius method (default: chosen from the family and the inputs)")
    p.add_argument("--sigma", help="gaussian noise level σ (decimal)")
    p.add_argument("--lambda", dest="lam", help="laplace scale λ (decimal)")
    p.add_argument("--d", type=int, help="ablation: number of ablation units")
    p.add_argument("--keep", type=int, help="ablation: units kept (e)")
    p.add_argument("--k", type=int, default=1, help="top-k (default 1)")
    p.add_argument("--n", type=int, help="number of estimation samples")
    p.add_argument("--alpha", help="failure probability (decimal)")
    p.add_argument("--interval", default="cp", choices=("cp", "binocp", "simuem"))
    p.add_argument("--count", type=int, help="count of the certified label (other labels: n - count)")
    p.add_argument("--counts", help="comma-separated per-class counts")
    p.add_argument("--label", type=int, help="certified label (index into --counts)")
    p.add_argument("--lower", help="given lower bound on the label's probability")
    p.add_argument("--upper", help="given upper bound(s) on the other labels, comma-separated")
    prec = p.add_mutually_exclusive_group()
    prec.add_argument("--precision", type=int, default=DEFAULT_DPS, metavar="DIGITS", help="mpmath digits")
    prec.add_argument("--float", dest="use_float", action="store_true", help="float64 fast path")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.set_defaults(func=run)


def _ints(text: str, name: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise UsageError(f"--{name} must be comma-separated integers: {text!r}") from exc


def _decs(text: str, name: str) -> list[Fraction]:
    out = []
    for x in text.split(","):
        if x.strip():
            try:
                out.append(parse_decimal(x.strip()))
            except NumberError as exc:
                raise UsageError(f"--{name}: {exc.message}") from None
    if not out:
        raise UsageError(f"--{name} is empty")
    return out


def _default_method(family: str, has_uppers: bool, k: int) -> str:
    if family == "gaussian-l2":
        return "topk" if has_uppers else "cohen"
    if family == "ablation-l0":
        return "ablation-topk"
    return "laplace-multiclass" if has_uppers else "laplace-binary"


def _fmt(B: Backend, x: Any, rnd: str) -> str | None:
    if x is None:
        return None
    if isinstance(x, int):
        return str(x)
    return B.to_str(x, 17 if B.is_float else B.dps, rnd)  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> int:
    B: Backend = FLOAT if args.use_float else mp_backend(args.precision)
    result = compute(args, B)
    if args.json:
        sys.stdout.write(json.dumps(result, allow_nan=False, indent=2) + "\n")
    else:
        _table(result)
    return 0


def compute(args: argparse.Namespace, B: Backend) -> dict[str, Any]:
    """The JSON result document for parsed ``audit radius`` arguments."""
    evidence_mode = args.count is not None or args.counts is not None
    if evidence_mode and args.lower is not None:
        raise UsageError("give either evidence (--count/--counts) or bounds (--lower/--upper), not both")
    if not evidence_mode and args.lower is None:
        raise UsageError("give evidence (--n, --alpha, --count or --counts/--label) or bounds (--lower)")
    has_uppers = args.upper is not None or (args.counts is not None and args.interval != "cp") or args.k > 1
    method = args.method or _default_method(args.family, has_uppers, args.k)
    out: dict[str, Any] = {
        "family": args.family,
        "method": method,
        "k": args.k,
        "precision": B.label,
        "digits": 17 if B.is_float else B.dps,
    }
    if evidence_mode:
        out.update(_from_evidence(args, B, method))
    else:
        out.update(_from_bounds(args, B, method))
    out["abstain"] = out["radius"] is None
    return out


def _from_evidence(args: argparse.Namespace, B: Backend, method: str) -> dict[str, Any]:
    if args.n is None or args.alpha is None:
        raise UsageError("evidence mode needs --n and --alpha")
    if args.count is not None:
        if args.counts is not None:
            raise UsageError("give --count or --counts, not both")
        if not 0 <= args.count <= args.n:
            raise UsageError(f"--count {args.count} outside [0, --n {args.n}]")
        counts = [args.count, args.n - args.count]
        label = 0
    else:
        counts = _ints(args.counts, "counts")
        if args.label is None:
            raise UsageError("--counts needs --label (fixed independently of these counts)")
        label = args.label
        if sum(counts) != args.n:
            raise UsageError(f"--counts sum to {sum(counts)}, not --n {args.n}")
    spec = CertificationSpec(
        family=FAMILIES[args.family],
        radius_method=method,
        interval=args.interval,
        alpha=args.alpha,
        k=args.k,
        sigma=args.sigma,
        lam=args.lam,
        d=args.d,
        keep=args.keep,
        num_classes=len(counts),
    )
    der = derive(spec, Evidence(label=label, n=args.n, counts=tuple(counts)), B)
    bounds = {name: _fmt(B, v, "down" if name.endswith("low") else "up") for name, v in der.bounds.items()}
    return {
        "interval": der.interval,
        "alpha": _dec(der.alpha),
        "alpha_split": [{"bound": n, "alpha": _dec(a)} for n, a in der.alpha_split],
        "bounds": bounds,
        "radius": _fmt(B, der.radius, "down"),
    }


def _dec(a: Fraction) -> str:
    return decimal_string(a, 30, "nearest") if a.denominator != 1 else str(a.numerator)


def _from_bounds(args: argparse.Namespace, B: Backend, method: str) -> dict[str, Any]:
    low = _decs(args.lower, "lower")
    if len(low) != 1:
        raise UsageError("--lower takes one value")
    pl = low[0]
    ups = _decs(args.upper, "upper") if args.upper is not None else None
    comparison: dict[str, Any] = {}
    radius: Any
    if method in ("cohen", "cohen-two-bound"):
        radius = cohen_radius(pl, _req(args.sigma, "sigma"), ups and max(ups), B)
    elif method == "topk":
        radius = topk_radius(pl, _req(ups, "upper"), args.k, _req(args.sigma, "sigma"), B)
    elif method == "ablation-topk":
        d, keep = _req(args.d, "d"), _req(args.keep, "keep")
        radius = ablation_radius(pl, _req(ups, "upper"), args.k, d, keep)
        if args.k == 1:
            comparison["levine-feizi"] = levine_feizi_radius(pl, max(ups), d, keep)  # type: ignore[arg-type]
    elif method == "laplace-multiclass":
        lam = _req(args.lam, "lambda")
        radius = laplace_radius(pl, max(_req(ups, "upper")), lam, B)
        comparison["lecuyer"] = _fmt(B, lecuyer_radius(pl, max(ups), lam, B), "down")  # type: ignore[arg-type]
    elif method == "laplace-binary":
        radius = laplace_binary_radius(pl, _req(args.lam, "lambda"), B)
    else:
        raise UsageError(f"radius method {method!r} is not available in bounds mode")
    bounds: dict[str, Any] = {"lower": args.lower.strip()}  # given exactly; used rounded down
    if ups is not None:
        bounds["upper"] = [u.strip() for u in args.upper.split(",") if u.strip()]
    out: dict[str, Any] = {
        "interval": None,
        "alpha": None,
        "bounds": bounds,
        "radius": _fmt(B, radius, "down"),
    }
    if comparison:
        out["comparison"] = comparison
    return out


def _req(value: Any, name: str) -> Any:
    if value is None:
        raise UsageError(f"--{name} is required here")
    return value


def _table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"audit radius: {result['family']} / {result['method']} ({result['precision']})")
    t.add_column("quantity")
    t.add_column("value", overflow="fold")
    for key in ("interval", "alpha", "k"):
        if result.get(key) is not None:
            t.add_row(key, str(result[key]))
    for name, v in result["bounds"].items():
        t.add_row(name, ", ".join(v) if isinstance(v, list) else str(v))
    for name, v in result.get("comparison", {}).items():
        t.add_row(f"{name} (comparison)", "abstain" if v is None else str(v))
    t.add_row("radius", "abstain" if result["radius"] is None else str(result["radius"]))
    Console(stderr=True).print(t)
