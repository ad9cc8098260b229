"""``python -m certs.demo --out DIR``: keygen, certify the bundled demo model on digits, verify, replay.

Exits 0 only if the audit verifier passes the certificate with the generated public key and every entry
replays on the CPU from its recorded seed (exactly; within 0.2 % of labels for a certificate made on CUDA).
The certificate is verified as a user verifies it, by running ``audit verify`` (the issuer never imports
the verifier). Small n by default (n0 = 100, n = 2,000, 36 inputs) so it finishes in about a minute on a
2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parents[1] / "cases" / "demo"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m certs.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build/demo"))
    parser.add_argument("--n0", type=int, default=100)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--inputs", type=int, default=36)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    from audit.errors import AuditError
    from audit.format import atomic_write, generate_private_key, private_key_pem, public_key_pem
    from certs.certify import CertifyOptions, certify
    from certs.noise import NoiseSpec
    from certs.progress import CertifyProgress
    from certs.replay import replay

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    try:
        key = generate_private_key()
        atomic_write(out / "signing_key.pem", private_key_pem(key), mode=0o600)
        atomic_write(out / "signing_key.pub.pem", public_key_pem(key.public_key()), mode=0o644)
        cert = out / "cert.json"
        (out / ("cert.json" + ".partial")).unlink(missing_ok=True)
        opts = CertifyOptions(
            noise=NoiseSpec("gaussian", sigma="0.25"), n0=args.n0, n=args.n, alpha="0.001", device=args.device
        )
        with CertifyProgress(enabled=not args.quiet) as bar:
            result = certify(
                CASES / "demo_cnn.safetensors",
                CASES / "digits-test.npz",
                opts,
                out=cert,
                key=key,
                builder="certs.demo_model:build",
                limit=args.inputs,
                progress=bar,
            )
        report = audit_verify(cert, out / "signing_key.pub.pem", CASES / "demo_cnn.safetensors")
        on_cuda = result.statement.predicate.sampler.device_type == "cuda"
        replayed = replay(
            cert,
            CASES / "demo_cnn.safetensors",
            CASES / "digits-test.npz",
            trusted_keys=[out / "signing_key.pub.pem"],
            builder="certs.demo_model:build",
            tolerance=0.002 if on_cuda else 0.0,
        )
    except AuditError as exc:
        print(f"demo: error: {exc}", file=sys.stderr)
        return exc.exit_code
    pred = result.statement.predicate
    rate = result.samples / result.seconds if result.seconds else 0.0
    print(f"certificate: {cert}  (public key: {out / 'signing_key.pub.pem'})")
    print(
        f"issued: {len(pred.entries)} digits, sigma=0.25, n0={args.n0}, n={args.n}, alpha=0.001, "
        f"device={pred.sampler.device}, batch={pred.sampler.batch_size}, {rate:,.0f} evals/s"
    )
    for row in pred.summary.certified_accuracy:
        print(f"  certified accuracy at L2 radius {row.radius}: {float(row.claimed.value):.3f}")
    passed = bool(report.get("passed"))
    files = report.get("files") or [{}]
    verdict = "PASS" if passed else "FAIL"
    print(
        f"audit verify: {verdict} (signature {files[0].get('signature')}, subject {files[0].get('subject')})"
    )
    counts = ", ".join(f"{v} {k}" for k, v in replayed.counts().items() if v)
    print(f"certs replay (cpu): {'PASS' if replayed.passed else 'FAIL'} ({counts})")
    print(f"reproduce: audit verify {cert} --key {out / 'signing_key.pub.pem'}")
    return 0 if passed and replayed.passed else 1


def audit_verify(cert: Path, public_key: Path, model: Path) -> dict[str, Any]:
    """``audit verify --json`` on the certificate, run as a user runs it; its JSON report."""
    argv = [sys.executable, "-m", "audit.cli", "verify", str(cert), "--key", str(public_key), "--model",
            str(model), "--workers", "1", "--quiet", "--json"]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"passed": False, "files": [{"signature": "?", "subject": done.stderr.strip()[:200]}]}


if __name__ == "__main__":
    sys.exit(main())
