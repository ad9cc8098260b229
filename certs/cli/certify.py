"""``certs certify``: model + inputs → signed certificate (a thin face over :func:`certs.certify.certify`)."""

from __future__ import annotations

import argparse
import sys

from audit.errors import UsageError
from audit.format.numbers import NumberError, int_arg, parse_int
from audit.theory import methods


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "certify",
        help="sample a smoothed classifier and write a signed certificate",
        description="Sample noise around each input, count the base model's labels, bound them with "
        "audit.theory and write a signed certificate (DSSE, in-toto Statement).",
    )
    p.add_argument("--model", required=True, help="TorchScript archive or .safetensors weights")
    p.add_argument(
        "--model-builder", metavar="MODULE:FUNCTION", help="builds the module for safetensors weights"
    )
    p.add_argument("--data", required=True, help=".npz or .safetensors with 'inputs' (and 'labels')")
    p.add_argument("--indices", help="inputs to certify, e.g. 0,5,10-19 (default: all)")
    p.add_argument("--skip", type=int_arg(), default=1, help="certify every SKIP-th selected input")
    p.add_argument("--max", type=int_arg(), dest="limit", help="certify at most this many inputs")
    p.add_argument("--noise", choices=[f.name for f in methods.families()], default="gaussian")
    p.add_argument("--sigma", help="Gaussian noise std (units of the certified L2 norm)")
    p.add_argument("--lambda", dest="lam", help="Laplace scale λ (units of the certified L1 norm)")
    p.add_argument("--keep", type=int_arg(), help="ablation: pixels kept (e of d)")
    p.add_argument(
        "--n0", type=int_arg(), help="selection draw size (default 100; separate-draw selection only)"
    )
    p.add_argument("--n", type=int_arg(), default=100_000, help="estimation draw size")
    p.add_argument("--alpha", default="0.001", help="failure probability per input")
    p.add_argument(
        "--interval",
        choices=[m.name for m in methods.intervals(certifying=True)],
        help="confidence interval (default: the radius method's; see `audit methods`)",
    )
    p.add_argument(
        "--radius-method",
        choices=[m.name for m in methods.radius_methods()],
        help="override the radius method (default: the noise family's for top-1, top-k or soft output)",
    )
    p.add_argument(
        "--k", type=int_arg(), default=1, help="top-k guarantee (label fixed in advance: the true label)"
    )
    p.add_argument("--selection", choices=("separate-draw", "fixed-label"), help="how the label is chosen")
    p.add_argument("--soft", action="store_true", help="soft smoothing: per-class score sums (Gaussian)")
    p.add_argument("--lipschitz", help="soft-lipschitz: Lipschitz constant L(f) of the logit map")
    p.add_argument("--batch-size", default="auto", help="model batch size, or 'auto' (search)")
    p.add_argument("--chunk-size", type=int_arg(), default=100, help="samples per noise draw (recorded)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda[:i]")
    p.add_argument("--dtype", default="float32", help="float32 | float64 | float16 | bfloat16")
    p.add_argument(
        "--graph",
        choices=("auto", "eager", "optimized", "fused"),
        default="auto",
        help="model execution: frozen TorchScript optimised for inference, frozen TorchScript with oneDNN "
        "Graph fusion (CPU), or eager; auto: on CPU float32 the faster TorchScript graph that passes the "
        "probe check (the optimised one when comparing them would take over 1/20 of the run); recorded "
        "in the certificate",
    )
    p.add_argument(
        "--rng",
        choices=("cpu", "device"),
        default="cpu",
        help="where each input's generator lives: cpu (mt19937; every run, GPU ones too, replays exactly on "
        "a CPU) or device (CUDA Philox on a GPU: faster noise, replays only on CUDA); recorded",
    )
    p.add_argument("--seed", type=int_arg(), default=0, help="base seed; each input's own seed is recorded")
    p.add_argument("--no-pack", action="store_true", help="one input per batch (same counts, slower)")
    p.add_argument("--key", help="Ed25519 private key PEM (omit for an unsigned certificate)")
    p.add_argument("--out", required=True, help="certificate file to write (atomically)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run (OUT.partial)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from certs.certify import CertifyOptions, certify, dumps_summary, resolve_defaults
    from certs.noise import NoiseSpec
    from certs.progress import CertifyProgress

    if args.batch_size == "auto":
        batch = None
    else:
        try:
            batch = parse_int(args.batch_size)
        except NumberError:
            raise UsageError(f"--batch-size must be an integer or 'auto', not {args.batch_size!r}") from None
        if batch < 1:
            raise UsageError("--batch-size must be >= 1")
    if args.chunk_size < 1:
        raise UsageError("--chunk-size must be >= 1")
    noise = NoiseSpec(args.noise, sigma=args.sigma, lam=args.lam, keep=args.keep)
    opts = CertifyOptions(
        noise=noise,
        n0=100 if args.n0 is None else args.n0,
        n=args.n,
        alpha=args.alpha,
        k=args.k,
        soft=args.soft,
        interval=args.interval,
        radius_method=args.radius_method,
        selection=args.selection,
        lipschitz=args.lipschitz,
        batch_size=batch,
        chunk_size=args.chunk_size,
        device=args.device,
        dtype=args.dtype,
        graph=args.graph,
        rng=args.rng,
        base_seed=args.seed,
        pack=not args.no_pack,
    )
    selection = resolve_defaults(opts)[2]
    if args.n0 is not None and selection == "fixed-label":
        raise UsageError("--n0 does not apply to fixed-label selection (the label is fixed in advance)")
    if args.lipschitz is not None and opts.radius_method != "soft-lipschitz":
        raise UsageError("--lipschitz applies only to --radius-method soft-lipschitz")
    with CertifyProgress(enabled=not args.quiet) as bar:
        result = certify(
            args.model,
            args.data,
            opts,
            out=args.out,
            key=args.key,
            builder=args.model_builder,
            indices=args.indices,
            skip=args.skip,
            limit=args.limit,
            resume=args.resume,
            progress=bar,
        )
    print(dumps_summary(result), file=sys.stdout if args.json else sys.stderr)
    return 0
