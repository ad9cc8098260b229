"""``certs replay``: honest certificates replay exactly; altered evidence, inputs or models are caught."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from documents import as_dict

from audit.errors import InputError, SignatureError, UsageError
from audit.format import decode_statement, encode_certificate, generate_private_key, load_certificate
from certs.certify import CertifyOptions, certify
from certs.cli import main as certs_main
from certs.noise import NoiseSpec
from certs.replay import replay

DEMO = Path(__file__).resolve().parents[2] / "cases" / "demo"
WEIGHTS = DEMO / "demo_cnn.safetensors"
ABL = DEMO / "demo_cnn_ablation.safetensors"
DATA = DEMO / "digits-test.npz"
BUILD = "certs.demo_model:build"
ABL_BUILD = "certs.demo_model:build_ablation"
N0, N = 30, 300


def _issue(tmp_path: Path, key, opts: CertifyOptions, weights: Path = WEIGHTS, builder: str = BUILD,
           indices: str = "0-4") -> tuple[Path, dict]:  # fmt: skip
    out = tmp_path / "c.json"
    certify(weights, DATA, opts, out=out, key=key, builder=builder, indices=indices)
    loaded = load_certificate(out, [key.public_key()])
    assert loaded.statement is not None
    return out, as_dict(loaded.statement)


def _resign(tmp_path: Path, statement: dict, key, name: str = "altered.json") -> Path:
    path = tmp_path / name
    path.write_bytes(encode_certificate(decode_statement(statement), key))
    return path


@pytest.fixture
def gauss(tmp_path: Path, keypair):
    key, pub = keypair
    opts = CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=N0, n=N, batch_size=128)
    out, statement = _issue(tmp_path, key, opts)
    return key, pub, out, statement


def test_an_honest_certificate_replays_exactly(gauss) -> None:
    _, pub, out, statement = gauss
    rep = replay(out, WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD)
    assert rep.passed and rep.exit_code == 0 and rep.signature == "valid"
    assert [e.status for e in rep.entries] == ["match"] * 5
    assert all(e.samples == N0 + N for e in rep.entries)
    assert rep.settings["batch_size"] == statement["predicate"]["sampler"]["batch_size"]
    # another batch size draws the same per-input streams: the same counts
    assert replay(out, WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD, batch_size=37).passed


def test_moved_labels_are_caught_and_counted(tmp_path: Path, gauss) -> None:
    key, pub, _, statement = gauss
    st = copy.deepcopy(statement)
    e = st["predicate"]["entries"][3]
    top = int(np.argmax(e["counts"]))  # at least n/10 = 30 votes
    e["counts"][top] -= 3  # three samples moved off the top label: the sum stays n
    e["counts"][(top + 1) % 10] += 3
    altered = _resign(tmp_path, st, key)
    rep = replay(altered, WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD)
    assert not rep.passed and rep.exit_code == 1
    assert [r.status for r in rep.entries] == ["match"] * 3 + ["mismatch", "match"]
    assert rep.entries[3].moved == 3 and "counts" in rep.entries[3].detail
    # within a tolerance of 3 labels in n0 + n the entry is 'close' and the replay passes
    loose = replay(altered, WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD, tolerance=3 / (N0 + N))
    assert loose.passed and loose.entries[3].status == "close"
    tight = replay(altered, WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD, tolerance=2 / (N0 + N))
    assert tight.entries[3].status == "mismatch"


def test_altered_selection_counts_are_caught(tmp_path: Path, gauss) -> None:
    key, pub, _, statement = gauss
    st = copy.deepcopy(statement)
    sel = st["predicate"]["entries"][0]["selection_counts"]
    i, j = sorted(range(10), key=lambda k: -sel[k])[:2]
    sel[i], sel[j] = sel[i] - 1, sel[j] + 1
    rep = replay(_resign(tmp_path, st, key), WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD)
    assert rep.entries[0].status == "mismatch" and rep.entries[0].moved == 1
    assert "selection_counts" in rep.entries[0].detail


def test_entries_with_other_inputs_are_not_sampled(tmp_path: Path, gauss) -> None:
    key, pub, out, statement = gauss
    with np.load(DATA) as z:
        arrays = {k: z[k].copy() for k in z.files}
    arrays["inputs"][2] = arrays["inputs"][2] * 0.5
    other = tmp_path / "other.npz"
    np.savez(other, **arrays)
    rep = replay(out, WEIGHTS, other, trusted_keys=[pub], builder=BUILD)
    assert [r.status for r in rep.entries] == ["match", "match", "input-mismatch", "match", "match"]
    assert rep.entries[2].samples == 0 and not rep.passed
    st = copy.deepcopy(statement)
    st["predicate"]["entries"][1]["id"] = "digits-test:999999"
    rep = replay(_resign(tmp_path, st, key), WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD, entries="1,3")
    assert [(r.index, r.status) for r in rep.entries] == [(1, "input-mismatch"), (3, "match")]
    assert "outside the data" in rep.entries[0].detail


@pytest.mark.parametrize(
    ("opts", "weights", "builder"),
    [
        (CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=N0, n=N, k=3), WEIGHTS, BUILD),
        (CertifyOptions(noise=NoiseSpec("laplace", lam="0.18"), n0=N0, n=N), WEIGHTS, BUILD),
        (CertifyOptions(noise=NoiseSpec("ablation", keep=12), n0=N0, n=N), ABL, ABL_BUILD),
        (CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=N0, n=N, soft=True), WEIGHTS, BUILD),
        (CertifyOptions(noise=NoiseSpec("gaussian", sigma="0.25"), n0=N0, n=N, soft=True, interval="betting",
                        alpha="0.01"), WEIGHTS, BUILD),
    ],
    ids=["topk-fixed-label", "laplace", "ablation", "soft", "soft-betting"],
)  # fmt: skip
def test_every_mode_replays(tmp_path: Path, keypair, opts, weights, builder) -> None:
    key, pub = keypair
    out, statement = _issue(tmp_path, key, opts, weights, builder, indices="0-2")
    rep = replay(out, weights, DATA, trusted_keys=[pub], builder=builder)
    assert [r.status for r in rep.entries] == ["match"] * 3, [r.detail for r in rep.entries]
    if opts.soft:  # a score sum changed in its last printed digit is a mismatch (no tolerance for sums)
        st = copy.deepcopy(statement)
        scores = st["predicate"]["entries"][1]["scores"]
        s = scores["sum"][0]
        scores["sum"][0] = s[:-1] + ("1" if s[-1] == "0" else "0")
        rep = replay(_resign(tmp_path, st, key), weights, DATA, trusted_keys=[pub], builder=builder,
                     tolerance=0.5)  # fmt: skip
        assert rep.entries[1].status == "mismatch" and "score sums" in rep.entries[1].detail


def test_refusals(tmp_path: Path, gauss) -> None:
    key, pub, out, statement = gauss
    with pytest.raises(InputError, match="not the one the certificate names"):
        replay(out, ABL, DATA, trusted_keys=[pub], builder=ABL_BUILD)
    with pytest.raises(UsageError, match="pass --model-builder yourself"):
        replay(out, WEIGHTS, DATA, trusted_keys=[pub])
    with pytest.raises(SignatureError):
        replay(out, WEIGHTS, DATA, trusted_keys=[generate_private_key().public_key()], builder=BUILD)
    with pytest.raises(UsageError, match="tolerance"):
        replay(out, WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD, tolerance=1.5)
    st = copy.deepcopy(statement)
    del st["predicate"]["sampler"]["chunk_size"]
    with pytest.raises(UsageError, match=r"sampler\.chunk_size is missing"):
        replay(_resign(tmp_path, st, key, "a.json"), WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD)
    st = copy.deepcopy(statement)
    st["predicate"]["sampler"]["rng_device"] = "cuda"
    with pytest.raises(UsageError, match="can only be replayed there"):
        replay(_resign(tmp_path, st, key, "b.json"), WEIGHTS, DATA, trusted_keys=[pub], builder=BUILD)


def test_cli_json_and_exit_codes(tmp_path: Path, gauss, capsys) -> None:
    key, pub, out, statement = gauss
    common = ["--model", str(WEIGHTS), "--model-builder", BUILD, "--data", str(DATA), "--quiet"]
    assert certs_main(["replay", str(out), *common, "--key", str(pub), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["passed"] and doc["counts"]["match"] == 5 and len(doc["entries"]) == 5
    st = copy.deepcopy(statement)
    e4 = st["predicate"]["entries"][4]
    e4["selection_counts"] = list(reversed(e4["selection_counts"]))
    altered = _resign(tmp_path, st, key)
    assert certs_main(["replay", str(altered), *common, "--key", str(pub)]) == 1
    text = capsys.readouterr().out
    assert "FAIL" in text and "mismatch" in text and "selection_counts" in text
    assert certs_main(["replay", str(out), *common]) == 1  # no trusted key: the signature is rejected
    err = capsys.readouterr().err
    assert err.startswith("certs: error:") and len(err.strip().splitlines()) == 1
    assert certs_main(["replay", str(out), *common, "--allow-unsigned", "--entries", "0"]) == 0
