"""End to end: certify → audit verify round trips on the demo model, replay, resume, CLI errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from documents import as_dict

from audit.errors import UsageError
from audit.format import decode_statement, encode_certificate, load_certificate
from audit.format.seeds import SEED_RULE, seed_for
from audit.verify.pipeline import VerifyOptions, verify_file
from audit.verify.verdicts import Verdict
from certs.certify import CertifyOptions, certify, choose_graph
from certs.cli import main as certs_main
from certs.graph import MODE_OF_GRAPH
from certs.models import load_model
from certs.noise import NoiseSpec
from certs.sampler import Job, Sampler, SamplerConfig

DEMO = Path(__file__).resolve().parents[2] / "cases" / "demo"
WEIGHTS = DEMO / "demo_cnn.safetensors"
DATA = DEMO / "digits-test.npz"
BUILDER = "certs.demo_model:build"


def _verify(cert: Path, pub: Path, model: Path = WEIGHTS):
    return verify_file(cert, VerifyOptions(trusted_keys=[pub], model_paths=[str(model)], workers=1))


def _predicate(cert: Path, pub: Path) -> dict:
    loaded = load_certificate(cert, [pub])
    assert loaded.statement is not None
    return as_dict(loaded.statement.predicate)


def test_cli_certify_then_audit_verify_round_trip(tmp_path: Path, keypair) -> None:
    key, pub = keypair
    keyfile = tmp_path / "key.pem"
    from audit.format import private_key_pem

    keyfile.write_bytes(private_key_pem(key))
    out = tmp_path / "cert.json"
    rc = certs_main(
        ["certify", "--model", str(WEIGHTS), "--model-builder", BUILDER, "--data", str(DATA),
         "--indices", "0-5", "--noise", "gaussian", "--sigma", "0.25", "--n0", "50", "--n", "400",
         "--alpha", "0.001", "--interval", "cp", "--batch-size", "auto", "--key", str(keyfile),
         "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert rc == 0
    rep = _verify(out, pub)
    assert rep.passed and rep.signature == "valid" and rep.subject == "match"
    pred = _predicate(out, pub)
    assert pred["guarantee"]["radius_method"] == "cohen" and pred["statistics"]["interval"] == "cp"
    assert pred["sampler"]["dtype"] == "float32" and pred["sampler"]["software"]["torch"] == torch.__version__
    assert [e["id"] for e in pred["entries"]] == [f"digits-test:{i}" for i in range(6)]
    assert any(not e["claim"]["abstain"] for e in pred["entries"])
    assert not (tmp_path / "cert.json.partial").exists()


@pytest.mark.parametrize(
    ("noise", "weights", "builder", "extra", "method"),
    [
        (NoiseSpec("gaussian", sigma="0.25"), WEIGHTS, BUILDER, {"k": 3}, "topk"),
        (NoiseSpec("laplace", lam="0.18"), WEIGHTS, BUILDER, {}, "laplace-multiclass"),
        (NoiseSpec("gaussian", sigma="0.25"), WEIGHTS, BUILDER, {"soft": True}, "soft-gaussian"),
        (NoiseSpec("ablation", keep=12), DEMO / "demo_cnn_ablation.safetensors",
         "certs.demo_model:build_ablation", {}, "ablation-topk"),
    ],
)  # fmt: skip
def test_every_mode_verifies(tmp_path: Path, keypair, noise, weights, builder, extra, method) -> None:
    key, pub = keypair
    out = tmp_path / "c.json"
    opts = CertifyOptions(noise=noise, n0=50, n=300, batch_size=200, **extra)
    certify(weights, DATA, opts, out=out, key=key, builder=builder, indices="0-3")
    rep = _verify(out, pub, weights)
    assert rep.passed, [f.message for f in rep.findings] + [e.verdict for e in rep.entries]
    pred = _predicate(out, pub)
    assert pred["guarantee"]["radius_method"] == method
    if extra.get("k", 1) > 1:
        assert pred["statistics"]["selection"] == "fixed-label"
        assert all(e["selection_counts"] is None for e in pred["entries"])


def test_counts_replay_exactly_from_recorded_seeds(tmp_path: Path, keypair, demo_model) -> None:
    key, pub = keypair
    out = tmp_path / "c.json"
    opts = CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.5"), n0=40, n=260, batch_size=128)
    certify(WEIGHTS, DATA, opts, out=out, key=key, builder=BUILDER, indices="10-14")
    pred = _predicate(out, pub)
    ds = __import__("certs.data", fromlist=["load_data"]).load_data(DATA)
    chunk = pred["sampler"]["chunk_size"]
    assert pred["sampler"]["rng_device"] == "cpu" and "mt19937" in pred["sampler"]["rng"]
    graph = MODE_OF_GRAPH[pred["sampler"]["graph"]]
    model = choose_graph(load_model(WEIGHTS, builder=BUILDER), opts.noise, ds.inputs[10], torch.device("cpu"),
                         torch.float32, graph).model  # fmt: skip
    for e in pred["entries"]:
        idx = int(e["id"].split(":")[1])
        job = Job(torch.from_numpy(ds.inputs[idx]), e["seed"], 40, 260)
        s = Sampler(
            model,
            NoiseSpec("gaussian", sigma="0.5"),
            (1, 8, 8),
            10,
            SamplerConfig(batch_size=33, chunk_size=chunk),
        )
        (res,) = s.run_group([job])
        assert res.counts == e["counts"] and res.selection_counts == e["selection_counts"]
    assert any(max(e["counts"]) < 260 for e in pred["entries"])


def test_seeds_follow_the_declared_rule_and_the_verifier_catches_a_redrawn_one(
    tmp_path: Path, keypair
) -> None:
    key, pub = keypair
    out = tmp_path / "c.json"
    opts = CertifyOptions(
        noise=NoiseSpec("gaussian", sigma="0.25"), n0=30, n=200, batch_size=128, base_seed=9
    )
    certify(WEIGHTS, DATA, opts, out=out, key=key, builder=BUILDER, indices="3,5,8")
    loaded = load_certificate(out, [pub])
    assert loaded.statement is not None
    statement = as_dict(loaded.statement)
    pred = statement["predicate"]
    assert pred["sampler"]["seed_rule"] == SEED_RULE and pred["sampler"]["base_seed"] == 9
    assert [e["seed"] for e in pred["entries"]] == [seed_for(9, i) for i in (3, 5, 8)]
    assert _verify(out, pub).passed
    # the issuer re-draws input 5's noise with another seed and re-signs: the signature is valid, the seed not
    pred["entries"][1]["seed"] += 1
    (tmp_path / "redrawn.json").write_bytes(encode_certificate(decode_statement(statement), key))
    rep = _verify(tmp_path / "redrawn.json", pub)
    assert rep.signature == "valid" and not rep.passed
    assert [e.verdict for e in rep.entries][1] is Verdict.PROTOCOL_VIOLATION
    assert [f.rule for f in rep.entries[1].findings] == ["SA208"]
    assert {rep.entries[i].verdict for i in (0, 2)} <= {Verdict.CERTIFIED, Verdict.ABSTAINED}


def test_resume_after_interruption_gives_the_uninterrupted_certificate(
    tmp_path: Path, keypair, interrupt_after
) -> None:
    key, pub = keypair
    opts = CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=20, n=180, batch_size=100,
                          group_samples=400)  # fmt: skip
    kw = {"key": key, "builder": BUILDER, "indices": "0-9"}
    full = tmp_path / "full.json"
    certify(WEIGHTS, DATA, opts, out=full, **kw)
    out = tmp_path / "cut.json"
    with pytest.raises(KeyboardInterrupt):
        certify(WEIGHTS, DATA, opts, out=out, progress=interrupt_after(2), **kw)
    partial = tmp_path / "cut.json.partial"
    assert not out.exists() and partial.exists()
    assert len(json.loads(partial.read_bytes())["entries"]) == 4
    with pytest.raises(UsageError, match="--resume"):
        certify(WEIGHTS, DATA, opts, out=out, **kw)  # refuses to silently overwrite the partial run
    other = CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.5"), n0=20, n=180, batch_size=100)
    with pytest.raises(UsageError, match="different"):
        certify(WEIGHTS, DATA, other, out=out, resume=True, **kw)
    res = certify(WEIGHTS, DATA, opts, out=out, resume=True, **kw)
    assert res.resumed_entries == 4 and not partial.exists()
    assert _predicate(out, pub)["entries"] == _predicate(full, pub)["entries"]
    assert _verify(out, pub).passed


def test_resume_without_partial_is_a_usage_error(tmp_path: Path, keypair) -> None:
    opts = CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=10, n=10, batch_size=20)
    with pytest.raises(UsageError, match="no partial run"):
        certify(WEIGHTS, DATA, opts, out=tmp_path / "x.json", builder=BUILDER, indices="0", resume=True)


def test_cli_refuses_pickled_model_and_missing_sigma(tmp_path: Path, capsys) -> None:
    pt = tmp_path / "m.pt"
    torch.save(torch.nn.Linear(64, 10), pt)
    base = ["certify", "--data", str(DATA), "--out", str(tmp_path / "o.json"), "--quiet", "--n", "10"]
    assert certs_main([*base, "--model", str(pt), "--sigma", "0.25"]) == 2
    assert "refusing to load a pickle" in capsys.readouterr().err
    assert certs_main([*base, "--model", str(WEIGHTS), "--model-builder", BUILDER]) == 2
    assert "--sigma" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


def test_rng_device_is_recorded_and_validated(tmp_path: Path, keypair) -> None:
    """``rng="device"`` on a CPU run is the same CPU stream (same evidence); an unknown value is refused."""
    key, pub = keypair
    base = {"noise": NoiseSpec("gaussian", sigma="0.25"), "n0": 20, "n": 80, "batch_size": 64}
    kw = {"key": key, "builder": BUILDER, "indices": "3-5"}
    certify(WEIGHTS, DATA, CertifyOptions(**base), out=tmp_path / "a.json", **kw)
    certify(WEIGHTS, DATA, CertifyOptions(**base, rng="device"), out=tmp_path / "b.json", **kw)
    a, b = _predicate(tmp_path / "a.json", pub), _predicate(tmp_path / "b.json", pub)
    assert a["sampler"]["rng_device"] == b["sampler"]["rng_device"] == "cpu"
    assert a["entries"] == b["entries"]
    with pytest.raises(UsageError, match="--rng"):
        certify(WEIGHTS, DATA, CertifyOptions(**base, rng="gpu"), out=tmp_path / "c.json", **kw)
    assert not (tmp_path / "c.json").exists()


@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
def test_other_model_dtypes_certify_and_verify(tmp_path: Path, keypair, dtype: str) -> None:
    """The model runs in ``--dtype`` (noise drawn in float32, the noisy batch cast); recorded; verifies."""
    key, pub = keypair
    out = tmp_path / f"{dtype}.json"
    opts = CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=20, n=120, dtype=dtype)
    certify(WEIGHTS, DATA, opts, out=out, key=key, builder=BUILDER, indices="0-3")
    pred = _predicate(out, pub)
    assert pred["sampler"]["dtype"] == dtype and pred["sampler"]["graph"] == "eager"
    assert "float32" in pred["sampler"]["graph_note"]
    assert all(sum(e["counts"]) == 120 for e in pred["entries"])
    assert _verify(out, pub).passed


def _npz(path: Path, **arrays) -> str:
    import numpy as np

    np.savez(path, **{k: np.asarray(v) for k, v in arrays.items()})
    return str(path)


def test_cli_refuses_bad_options_and_data_before_sampling(tmp_path: Path, capsys) -> None:
    """Each bad run exits 2 with a one-line message, before sampling: no certificate, no partial run."""
    import numpy as np

    zeros = np.zeros((4, 1, 8, 8), np.float32)
    flat = _npz(tmp_path / "flat.npz", inputs=np.zeros((4, 64), np.float32))
    chan3 = _npz(tmp_path / "chan3.npz", inputs=np.zeros((4, 3, 8, 8), np.float32))
    lab10 = _npz(tmp_path / "lab10.npz", inputs=zeros, labels=[0, 1, 10, 3])
    nolab = _npz(tmp_path / "nolab.npz", inputs=zeros)
    out = tmp_path / "o.json"
    cases = [
        (["--indices", "3,3"], DATA, "more than once"),
        (["--max", "-1"], DATA, "--max must be >= 1"),
        (["--device", "tpu"], DATA, "--device must be"),
        (["--seed", "-5"], DATA, "--seed must be in"),
        (["--seed", str(2**63)], DATA, "--seed must be in"),
        (["--k", "10"], DATA, "k=10 must be below num_classes=10"),
        (["--k", "3", "--n0", "20"], DATA, "--n0 does not apply"),
        (["--lambda", "0.3"], DATA, "--lambda does not apply to gaussian"),
        (["--lipschitz", "3"], DATA, "--lipschitz applies only"),
        ([], flat, "cannot evaluate inputs of shape [64]"),
        ([], chan3, "cannot evaluate inputs of shape [3, 8, 8]"),
        ([], lab10, "label 10 of input 2 is outside [0, 10)"),
        (["--k", "3"], nolab, "no labels"),
    ]
    for extra, data, message in cases:
        argv = ["certify", "--model", str(WEIGHTS), "--model-builder", BUILDER, "--data", str(data),
                "--sigma", "0.25", "--n", "2000", "--out", str(out), "--quiet", *extra]  # fmt: skip
        assert certs_main(argv) == 2, extra
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (extra, err)
        assert not out.exists() and not (tmp_path / "o.json.partial").exists(), extra
    base = ["certify", "--model", str(WEIGHTS), "--model-builder", BUILDER, "--data", str(DATA),
            "--sigma", "0.25"]  # fmt: skip
    assert certs_main([*base, "--out", ""]) == 2 and "--out needs a file name" in capsys.readouterr().err
    assert certs_main([*base, "--out", str(tmp_path)]) == 2 and "is a directory" in capsys.readouterr().err
    assert not (tmp_path.parent / (tmp_path.name + ".partial")).exists()


def test_cli_soft_lipschitz_and_json_summary(tmp_path: Path, keypair, capsys) -> None:
    """``--lipschitz`` reaches the certificate (soft-lipschitz runs, verifies); ``--json`` is on stdout."""
    from audit.format import private_key_pem

    key, pub = keypair
    keyfile = tmp_path / "key.pem"
    keyfile.write_bytes(private_key_pem(key))
    out = tmp_path / "lip.json"
    argv = ["certify", "--model", str(WEIGHTS), "--model-builder", BUILDER, "--data", str(DATA),
            "--indices", "0-2", "--sigma", "0.25", "--soft", "--radius-method", "soft-lipschitz",
            "--lipschitz", "5", "--n0", "30", "--n", "200", "--key", str(keyfile), "--out", str(out),
            "--quiet", "--json"]  # fmt: skip
    assert certs_main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["entries"] == 3 and summary["out"] == str(out)
    pred = _predicate(out, pub)
    assert pred["guarantee"]["radius_method"] == "soft-lipschitz" and pred["guarantee"]["lipschitz"] == "5"
    assert _verify(out, pub).passed
