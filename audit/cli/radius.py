"""``audit radius``: confidence bounds and certified radius from evidence (counts) or from given bounds.

Thin face over :mod:`audit.theory` and its method registry (the choices below are the registry's). Numbers
in ``--json`` output are decimal strings: lower bounds rounded down, upper bounds rounded up, radii rounded
toward zero, at the backend's digits (``--precision``, default 50) or 17 digits for ``--float``. Human table
(rich) on stderr, JSON on stdout. Exit 0, or 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import Any

from audit.errors import UsageError
from audit.format.numbers import NumberError, decimal_string, int_arg, int_list, parse_decimal
from audit.theory import DEFAULT_DPS, FLOAT, Backend, CertificationSpec, Evidence, derive, methods, mp_backend
from audit.theory.methods import Need, Params

FAMILIES = {f.cli_name: f for f in methods.families()}


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of the subcommand (its name and one-line help: ``audit.cli.COMMANDS``)."""
    p.description = (
        "Compute confidence bounds and the certified radius (evidence mode: --n/--alpha with "
        "--count or --counts/--label; bounds mode: --lower [--upper])."
    )
    p.add_argument(
        "--family", required=True, choices=sorted(FAMILIES), help="noise family and certified norm"
    )
    p.add_argument(
        "--method",
        choices=[m.name for m in methods.radius_methods(output="hard")],
        help="radius method (default: chosen from the family and the inputs)",
    )
    p.add_argument("--sigma", help="gaussian noise level σ (decimal)")
    p.add_argument("--lambda", dest="lam", help="laplace scale λ (decimal)")
    p.add_argument("--d", type=int_arg(), help="ablation: number of ablation units")
    p.add_argument("--keep", type=int_arg(), help="ablation: units kept (e)")
    p.add_argument("--k", type=int_arg(), default=1, help="top-k (default 1)")
    p.add_argument("--n", type=int_arg(), help="number of estimation samples")
    p.add_argument("--alpha", help="failure probability (decimal)")
    p.add_argument(
        "--interval",
        default="cp",
        choices=[m.name for m in methods.intervals(certifying=True, evidence=methods.EvidenceKind.COUNTS)],
        help="confidence interval for the counts (default cp)",
    )
    p.add_argument("--count", type=int_arg(), help="count of the certified label (other labels: n - count)")
    p.add_argument("--counts", help="comma-separated per-class counts")
    p.add_argument("--label", type=int_arg(), help="certified label (index into --counts)")
    p.add_argument("--lower", help="given lower bound on the label's probability")
    p.add_argument("--upper", help="given upper bound(s) on the other labels, comma-separated")
    prec = p.add_mutually_exclusive_group()
    prec.add_argument(
        "--precision", type=int_arg(), default=DEFAULT_DPS, metavar="DIGITS", help="mpmath digits"
    )
    prec.add_argument("--float", dest="use_float", action="store_true", help="float64 fast path")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.set_defaults(func=run)


def _ints(text: str, name: str) -> list[int]:
    try:
        return int_list(text, what=f"--{name}")
    except NumberError as exc:
        raise UsageError(f"--{name} must be comma-separated integers: {exc.message}") from None


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


def _default_method(args: argparse.Namespace, has_uppers: bool) -> str:
    """With upper bounds (or top-k): the family's method for them; without: its one-bound method if it has
    one (the other labels are then at most 1 − lower), else its top-1 default."""
    fam = FAMILIES[args.family]
    if has_uppers and fam.upper_bounds is not None:
        return fam.upper_bounds
    one_bound = [
        m.name for m in methods.radius_methods(family=fam.name, output="hard") if m.need is Need.LOWER
    ]
    return one_bound[0] if one_bound else fam.top1


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
    method = args.method or _default_method(args, has_uppers)
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


def _evidence(args: argparse.Namespace) -> tuple[list[int], int]:
    if args.n is None or args.alpha is None:
        raise UsageError("evidence mode needs --n and --alpha")
    if args.count is not None:
        if args.counts is not None:
            raise UsageError("give --count or --counts, not both")
        if not 0 <= args.count <= args.n:
            raise UsageError(f"--count {args.count} outside [0, --n {args.n}]")
        return [args.count, args.n - args.count], 0
    counts = _ints(args.counts, "counts")
    if args.label is None:
        raise UsageError("--counts needs --label (fixed independently of these counts)")
    if sum(counts) != args.n:
        raise UsageError(f"--counts sum to {sum(counts)}, not --n {args.n}")
    return counts, args.label


def _from_evidence(args: argparse.Namespace, B: Backend, method: str) -> dict[str, Any]:
    counts, label = _evidence(args)
    spec = CertificationSpec(
        family=FAMILIES[args.family].name,
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


def _params(args: argparse.Namespace, rm: methods.RadiusMethod) -> Params:
    values = {"sigma": args.sigma, "lambda": args.lam, "d": args.d, "keep": args.keep}
    for name in rm.params:
        if values.get(name) is None:
            raise UsageError(f"--{name} is required here")
    sigma = _decs(args.sigma, "sigma")[0] if args.sigma else None
    lam = _decs(args.lam, "lambda")[0] if args.lam else None
    return Params(k=args.k, sigma=sigma, lam=lam, d=args.d, keep=args.keep)


def _from_bounds(args: argparse.Namespace, B: Backend, method: str) -> dict[str, Any]:
    rm = methods.radius_method(method)
    low = _decs(args.lower, "lower")
    if len(low) != 1:
        raise UsageError("--lower takes one value")
    ups = _decs(args.upper, "upper") if args.upper is not None else None
    if rm.need is Need.LOWER and ups is not None:
        raise UsageError(
            f"radius method {rm.name!r} uses only --lower (every other label is at most 1 - lower)"
        )
    if rm.need is not Need.LOWER and ups is None:
        raise UsageError("--upper is required here")
    params = _params(args, rm)
    pl, others = low[0], list(ups or ())  # exact; each formula rounds them to its conservative side
    if rm.need is Need.RUNNER_UP:
        others = [max(others)]
    radius = rm.radius(params, pl, others, B)
    bounds: dict[str, Any] = {"lower": args.lower.strip()}  # given exactly; used rounded down
    if ups is not None:
        bounds["upper"] = [u.strip() for u in args.upper.split(",") if u.strip()]
    out: dict[str, Any] = {
        "interval": None,
        "alpha": None,
        "bounds": bounds,
        "radius": _fmt(B, radius, "down"),
    }
    comparison = {}
    for name, fn in rm.comparisons.items():
        try:
            value = fn(params, pl, others, B)
        except ValueError:
            continue  # not defined for these inputs (e.g. a top-1-only bound at k > 1)
        comparison[name] = value if isinstance(value, int) else _fmt(B, value, "down")
    if comparison:
        out["comparison"] = comparison
    return out


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
