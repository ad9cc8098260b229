"""Soft certificates with betting bounds: per-sample score sidecar written, signed via sha256, verified."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from documents import as_dict

from audit.format import load_certificate, private_key_pem
from audit.verify.pipeline import VerifyOptions, verify_file
from certs.cli import main as certs_main

DEMO = Path(__file__).resolve().parents[2] / "cases" / "demo"
WEIGHTS = DEMO / "demo_cnn.safetensors"
N = 150


@pytest.fixture
def betting_cert(tmp_path: Path, keypair) -> tuple[Path, Path, dict]:
    key, pub = keypair
    keyfile = tmp_path / "key.pem"
    keyfile.write_bytes(private_key_pem(key))
    out = tmp_path / "cert.json"
    rc = certs_main(
        ["certify", "--model", str(WEIGHTS), "--model-builder", "certs.demo_model:build",
         "--data", str(DEMO / "digits-test.npz"), "--indices", "0-2", "--sigma", "0.25", "--soft",
         "--interval", "betting", "--n0", "20", "--n", str(N), "--alpha", "0.01", "--key", str(keyfile),
         "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert rc == 0
    loaded = load_certificate(out, [pub])
    assert loaded.statement is not None
    return out, pub, as_dict(loaded.statement.predicate)


def _verify(cert: Path, pub: Path):
    return verify_file(cert, VerifyOptions(trusted_keys=[pub], model_paths=[str(WEIGHTS)], workers=1))


def _entry_rules(rep) -> dict[int, set[str]]:
    return {e.index: {f.rule for f in e.findings} for e in rep.entries}


def test_betting_certificate_round_trips(betting_cert) -> None:
    out, pub, pred = betting_cert
    assert pred["statistics"]["interval"] == "betting"
    assert pred["guarantee"]["radius_method"] == "soft-gaussian"
    rep = _verify(out, pub)
    assert rep.passed, [f.message for f in rep.findings] + [e.verdict for e in rep.entries]
    assert any(not e["claim"]["abstain"] for e in pred["entries"])  # not vacuous
    for i, e in enumerate(pred["entries"]):
        ref = e["scores"]["sidecar"]
        assert ref["path"] == f"cert.json.scores/{i:06d}.npy"
        data = (out.parent / ref["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == ref["sha256"]
        arr = np.load(io.BytesIO(data), allow_pickle=False)
        assert arr.dtype == np.dtype("<f8") and arr.shape == (10, N)
        assert arr.min() >= 0 and arr.max() <= 1
        assert np.allclose(arr.sum(axis=0), 1.0, atol=1e-5)  # softmax: each sample's scores sum to one
        # the entry's sums are the sums of the very scores in the sidecar (same samples, same order)
        sums = np.array([float(s) for s in e["scores"]["sum"]])
        assert np.allclose(sums, arr.sum(axis=1), rtol=0, atol=1e-9)
    assert not list(out.parent.glob("cert.json.scores/.*.tmp"))  # atomic writes leave no temp files


def test_tampered_sidecar_fails_verification(betting_cert) -> None:
    out, pub, pred = betting_cert
    path = out.parent / pred["entries"][1]["scores"]["sidecar"]["path"]
    arr = np.load(path, allow_pickle=False)
    label = pred["entries"][1]["claim"]["label"] or 0
    arr[label] = 1.0  # a "better" run: still a valid [0, 1] score file, but not the signed one
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    path.write_bytes(buf.getvalue())
    rep = _verify(out, pub)
    assert not rep.passed
    rules = _entry_rules(rep)
    assert "SA108" in rules[1] and "SA108" not in rules[0] | rules[2], rules
    assert rep.entries[1].verdict == "inconsistent-evidence"


def test_missing_sidecar_fails_verification(betting_cert) -> None:
    out, pub, pred = betting_cert
    (out.parent / pred["entries"][0]["scores"]["sidecar"]["path"]).unlink()
    rep = _verify(out, pub)
    assert not rep.passed and "SA108" in _entry_rules(rep)[0]


def test_soft_sums_fit_the_schema_and_the_inequalities() -> None:
    """Tiny float sums (e.g. 4e-16) once produced 104 fraction digits, which the schema refuses."""
    import re
    from decimal import Decimal
    from fractions import Fraction

    from certs.claims import soft_scores
    from certs.sampler import SampleResult

    pattern = re.compile(r"^(0|[1-9][0-9]{0,99})(\.[0-9]{1,100})?([eE][-+]?[0-9]{1,4})?$")
    n = 150
    sums = [4.0992057508026266e-16, 1e-300, 149.99999999999997, 0.0, 3.2, 150.00000000000003]
    sqs = [4.0992057508026266e-16**2, 1e-300, 149.9999999999999, 0.0, 0.01, 151.0]  # some impossible
    res = SampleResult(None, [0] * 6, sums, sqs)
    got = as_dict(soft_scores(res, n))
    for s_txt, q_txt in zip(got["sum"], got["sumsq"], strict=True):
        assert pattern.match(s_txt) and pattern.match(q_txt), (s_txt, q_txt)
        s, q = Fraction(Decimal(s_txt)), Fraction(Decimal(q_txt))
        assert s * s / n <= q <= s <= n
    assert Fraction(Decimal(got["sum"][0])) <= Fraction(sums[0])  # rounded down, by < 1e-90
    assert Fraction(sums[0]) - Fraction(Decimal(got["sum"][0])) < Fraction(1, 10**90)
