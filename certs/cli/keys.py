"""``certs keygen --out DIR`` and ``certs sign CERT --key KEY [--out OUT]``.

keygen writes ``signing_key.pem`` (PKCS8 PEM, mode 0600) and ``signing_key.pub.pem`` (SPKI PEM) into DIR and
refuses to overwrite an existing key unless ``--force``. sign adds an Ed25519 signature over the exact payload
bytes of an unsigned certificate (in place, or to ``--out``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from audit.errors import UsageError
from audit.format.certificate import sign_certificate_file
from audit.format.io import atomic_write
from audit.format.keys import (
    PRIVATE_KEY_NAME,
    PUBLIC_KEY_NAME,
    generate_private_key,
    key_id,
    load_private_key,
    private_key_pem,
    public_key_pem,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    keygen = subparsers.add_parser("keygen", help="generate an Ed25519 signing key pair")
    keygen.add_argument("--out", required=True, metavar="DIR", help="directory for the key files")
    keygen.add_argument("--force", action="store_true", help="overwrite existing key files")
    keygen.set_defaults(func=run_keygen)

    sign = subparsers.add_parser("sign", help="sign an unsigned certificate")
    sign.add_argument("cert", metavar="CERT", help="unsigned certificate file")
    sign.add_argument("--key", required=True, metavar="KEY", help="PKCS8 PEM Ed25519 private key")
    sign.add_argument("--out", metavar="OUT", help="write the signed certificate here (default: in place)")
    sign.set_defaults(func=run_sign)


def run_keygen(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    priv_path, pub_path = out / PRIVATE_KEY_NAME, out / PUBLIC_KEY_NAME
    if not args.force:
        for p in (priv_path, pub_path):
            if p.exists():
                raise UsageError(f"{p} exists; pass --force to overwrite")
    key = generate_private_key()
    atomic_write(priv_path, private_key_pem(key), mode=0o600)
    atomic_write(pub_path, public_key_pem(key.public_key()), mode=0o644)
    print(f"wrote {priv_path} (mode 0600) and {pub_path}; key id {key_id(key)}", file=sys.stderr)
    return 0


def run_sign(args: argparse.Namespace) -> int:
    key = load_private_key(args.key)
    target = sign_certificate_file(args.cert, key, args.out)
    print(f"signed {os.fspath(target)} with key {key_id(key)}", file=sys.stderr)
    return 0
