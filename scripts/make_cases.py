"""Generate the verifier's certificate cases (cases/*.json) and their expected verdicts (cases/expected.json).

Every expected verdict follows from how the case is built (e.g. "radius inflated by 10%" → inflated), never
from running the verifier. Claims of valid cases are the theory layer's float-path radius rounded toward zero
to 6 significant digits (as an issuer would write them). Signed with the TEST key pair in cases/keys/ (a test
key, committed on purpose; never trust it for anything real). Run: ``python3 scripts/make_cases.py``.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.format import (  # noqa: E402
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    decode_statement,
    dsse,
    encode_certificate,
    generate_private_key,
    load_private_key,
    private_key_pem,
    public_key_pem,
)
from audit.format.io import atomic_write  # noqa: E402
from audit.format.model import Predicate, Scores, decode, to_builtins  # noqa: E402
from audit.format.numbers import decimal_string  # noqa: E402
from audit.format.seeds import SEED_RULE, seed_for  # noqa: E402
from audit.importers.skeleton import gaussian_l2_predicate, single_bound_statistics  # noqa: E402
from audit.theory import FLOAT, CertificationSpec, Evidence, derive, mp_backend  # noqa: E402

CASES = ROOT / "cases"
KEYS = CASES / "keys"
REAL = ROOT.parent / "shared" / "realdata"  # published evidence, read in place (never copied here)
SUBJECT = [{"name": "case-model.safetensors", "digest": {"sha256": "0" * 63 + "1"}}]


def keys() -> tuple[Any, Any]:
    KEYS.mkdir(parents=True, exist_ok=True)
    pairs = []
    for name in ("test-release", "test-other"):
        priv = KEYS / f"{name}.key"
        if not priv.exists():
            k = generate_private_key()
            atomic_write(priv, private_key_pem(k))
            atomic_write(KEYS / f"{name}.pub", public_key_pem(k.public_key()))
        pairs.append(load_private_key(priv))
    return pairs[0], pairs[1]


def base_predicate(**over: Any) -> dict[str, Any]:
    pred = to_builtins(
        gaussian_l2_predicate(
            tool="make_cases",
            source="scripts/make_cases.py",
            sigma="0.25",
            k=1,
            radius_method="cohen",
            statistics=single_bound_statistics(
                alpha="0.001", interval="cp", bound="pA_low", n0=100, n=100000, num_classes=10
            ),
            entries=[],
        )
    )
    pred["tool"]["version"] = "0.1.0"
    pred["created"] = "2026-11-21T12:00:00Z"
    pred["sampler"] = {"software": {"python": "3.11"}, "device": "cpu", "dtype": "float32",
                       "batch_size": 1000, "rng": "test", "base_seed": 0}  # fmt: skip
    for k, v in over.items():
        pred[k] = v
    return pred


def spec_of(pred: dict[str, Any], **over: Any) -> CertificationSpec:
    return CertificationSpec.from_predicate(decode(pred, Predicate), **over)


def issue_claim(
    pred: dict[str, Any], counts: list[int] | None, label: int, scores: Any = None, samples: Any = None
) -> str | None:
    """What an honest issuer writes: the float-path radius rounded toward zero to 6 significant digits."""
    ev = Evidence(
        label=label,
        n=pred["statistics"]["n"],
        counts=tuple(counts) if counts else None,
        scores=decode(scores, Scores) if scores is not None else None,
        samples=samples,
    )
    d = derive(spec_of(pred), ev, FLOAT)
    if d.radius is None:
        return None
    if isinstance(d.radius, int):
        return str(d.radius)
    return decimal_string(Fraction(d.radius), 6, "down")


def exact_radius(pred: dict[str, Any], counts: list[int], label: int) -> Fraction:
    B = mp_backend(60)
    d = derive(spec_of(pred), Evidence(label=label, n=pred["statistics"]["n"], counts=tuple(counts)), B)
    assert d.radius is not None
    return B.to_fraction(d.radius)


def entry(
    i: int,
    counts: list[int] | None,
    label: int,
    true: int | None,
    radius: str | None,
    sel: list[int] | None = None,
    scores: Any = None,
) -> dict[str, Any]:
    if sel is None and counts is not None:
        sel = [0] * len(counts)
        sel[label] = 100
    return {
        "id": f"case:{i}",
        "input_sha256": f"{i:064x}",
        "true_label": true,
        "seed": i,
        "selection_counts": sel,
        "counts": counts,
        "scores": scores,
        "claim": (
            {"abstain": True, "label": None, "radius": None}
            if radius is None
            else {"abstain": False, "label": label, "radius": radius}
        ),
    }


def top1_counts() -> list[tuple[list[int], int]]:
    rows = []
    for text in (REAL / "jia_topk_cifar_sigma025_counts.txt").read_text().splitlines()[:12]:
        vals = [int(x) for x in text.split()]
        counts, true = vals[:10], vals[10]
        rows.append((counts, true))
    return rows


def valid_top1(pred: dict[str, Any] | None = None) -> dict[str, Any]:
    pred = pred or base_predicate()
    for i, (counts, true) in enumerate(top1_counts()):
        label = max(range(10), key=lambda j: counts[j])
        r = issue_claim(pred, counts, label)
        pred["entries"].append(entry(i, counts, label, true, r))
    return pred


def soft_predicate(interval: str, n: int) -> dict[str, Any]:
    """Three-class soft-Gaussian predicate, α = 0.001 split evenly over F_low and F_up, no entries yet."""
    p = base_predicate()
    p["guarantee"].update(output="soft", radius_method="soft-gaussian")
    p["statistics"].update(
        interval=interval,
        n=n,
        num_classes=3,
        n0=100,
        alpha_split=[{"bound": "F_low", "alpha": "0.0005"}, {"bound": "F_up", "alpha": "0.0005"}],
    )
    return p


def soft_betting_predicate() -> dict[str, Any]:
    return soft_predicate("betting", 2000)


def soft_samples(seed: int) -> list[list[float]]:
    """Three-class softmax-like scores, n=2000, in sampling order; 6-decimal values (exact as text)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = rng.beta(20, 2, size=2000)
    b = (1 - a) * rng.uniform(size=2000)
    rows = [a, b, 1 - a - b]
    return [[float(f"{min(max(x, 0.0), 1.0):.6f}") for x in r] for r in rows]


def exact_text(q: Fraction) -> str:
    """Exact decimal text of a rational with a power-of-2-and-5 denominator."""
    return str(Decimal(q.numerator) / Decimal(q.denominator)) if q.denominator == 1 else _exact_frac(q)


def _exact_frac(q: Fraction) -> str:
    k = 0
    while (q * 10**k).denominator != 1:
        k += 1
    v = q * 10**k
    s = str(v.numerator).rjust(k + 1, "0")
    return s[:-k] + "." + s[-k:]


def write_sidecar(rel: str, rows: list[list[float]]) -> tuple[dict[str, Any], list[list[Fraction]]]:
    """Write a sidecar (JSON decimal strings or .npy float64) under cases/; return (scores, exact samples)."""
    import hashlib

    import numpy as np

    path = CASES / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if rel.endswith(".npy"):
        import io

        buf = io.BytesIO()
        np.save(buf, np.array(rows, dtype="<f8"), allow_pickle=False)
        data = buf.getvalue()
        exact = [[Fraction(x) for x in r] for r in rows]
    else:
        texts = [[f"{x:.6f}" for x in r] for r in rows]
        doc = {"sidecar_version": 1, "n": len(rows[0]), "samples": texts}
        data = (json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n").encode()
        exact = [[Fraction(t) for t in r] for r in texts]
    atomic_write(path, data)
    sums = [sum(r, Fraction(0)) for r in exact]
    sqs = [sum((x * x for x in r), Fraction(0)) for r in exact]
    # exact where the text is short (6-decimal JSON scores); float64 sums: sum down, sumsq up, 30 digits
    short = all(len(exact_text(v)) <= 60 for v in sums + sqs)
    scores = {
        "sum": [exact_text(v) if short else decimal_string(v, 30, "down") for v in sums],
        "sumsq": [exact_text(v) if short else decimal_string(v, 30, "up") for v in sqs],
        "sidecar": {"path": rel, "sha256": hashlib.sha256(data).hexdigest()},
    }
    return scores, exact


def statement_of(pred: dict[str, Any]) -> dict[str, Any]:
    return {"_type": STATEMENT_TYPE, "subject": SUBJECT, "predicateType": PREDICATE_TYPE, "predicate": pred}


def write(name: str, pred: dict[str, Any], key: Any) -> Path:
    path = CASES / f"{name}.json"
    atomic_write(path, encode_certificate(decode_statement(statement_of(pred)), key))
    return path


class Catalogue:
    """The cases written so far and their expected outcomes (cases/expected.json)."""

    def __init__(self) -> None:
        self.release, self.other = keys()
        self.expected: dict[str, Any] = {}

    def case(
        self,
        name: str,
        pred: dict[str, Any] | None,
        exit_code: int,
        verdicts: list[str] | None,
        why: str,
        key: Any = None,
        signature: str | None = "valid",
        flags: list[str] | None = None,
        structural: bool = False,
    ) -> None:
        """``structural``: the document contradicts itself, so `audit verify` exits 2 (docs/verifier.md)."""
        if pred is not None:
            write(name, pred, self.release if key is None else key)
        self.expected[name] = {
            "exit": 2 if structural else exit_code,
            "signature": signature,
            "verdicts": verdicts,
            "why": why,
            "flags": flags or [],
            "structural": structural,
        }


def honest(pred: dict[str, Any]) -> list[str]:
    """Verdicts of honest entries by construction: a claim that abstains, or the issuer's own radius."""
    return ["abstained" if e["claim"]["abstain"] else "certified" for e in pred["entries"]]


def override(pred: dict[str, Any], changes: dict[int, str]) -> list[str]:
    v = honest(pred)
    for i, verdict in changes.items():
        v[i] = verdict
    return v


def two_bound(p: dict[str, Any]) -> dict[str, Any]:
    p["statistics"]["alpha_split"] = [
        {"bound": "pA_low", "alpha": "0.0005"},
        {"bound": "pB_up", "alpha": "0.0005"},
    ]
    return p


def laplace(p: dict[str, Any], method: str) -> dict[str, Any]:
    p["smoothing"].update(family="laplace", sigma=None, **{"lambda": "0.5"})
    p["guarantee"].update(norm="l1", radius_method=method)
    return p


def valid_cases(cat: Catalogue) -> None:
    """Honest certificates of every family: every entry certified or abstaining."""
    p = valid_top1()
    cat.case("valid_top1", p, 0, honest(p), "honest Cohen top-1 claims")
    p = base_predicate()
    p["guarantee"]["radius_method"] = "cohen-two-bound"
    p = valid_top1(two_bound(p))
    why = "honest two-bound claims (slack note: the one-bound radius is larger)"
    cat.case("valid_top1_two_bound", p, 0, honest(p), why)
    p = base_predicate()
    p["guarantee"].update(k=3, radius_method="topk")
    p["statistics"].update(interval="simuem", selection="fixed-label", n0=None,
                           alpha_split=[{"bound": "simuem", "alpha": "0.001"}])  # fmt: skip
    for i, (counts, true) in enumerate(top1_counts()):
        r = issue_claim(p, counts, true)
        p["entries"].append(entry(i, counts, true, true, r, sel=None))
        p["entries"][-1]["selection_counts"] = None
    why = "Jia et al. top-3 SimuEM on their released counts, label fixed in advance (true label)"
    cat.case("valid_topk", p, 0, honest(p), why)
    p = base_predicate()
    p["smoothing"].update(family="ablation", sigma=None, keep=50, d=1024, ablated_encoding="zero+mask")
    p["guarantee"].update(norm="l0", k=1, radius_method="ablation-topk")
    p["statistics"].update(interval="simuem", alpha_split=[{"bound": "simuem", "alpha": "0.001"}])
    p = valid_top1(p)
    cat.case("valid_l0", p, 0, honest(p), "randomized ablation, integer radii")
    p = valid_top1(laplace(base_predicate(), "laplace-binary"))
    cat.case("valid_l1", p, 0, honest(p), "Laplace binary (Teng et al. Thm 2)")
    p = valid_top1(two_bound(laplace(base_predicate(), "laplace-multiclass")))
    cat.case("valid_l1_multiclass", p, 0, honest(p), "Laplace multi-class Thm 1")
    p = soft_predicate("hoeffding", 10000)
    soft_rows = [
        (["9000", "600", "400"], ["8500", "100", "60"]),
        (["7000", "2000", "1000"], ["5200", "500", "200"]),
    ]
    for i, (s, q) in enumerate(soft_rows):
        sc = {"sum": s, "sumsq": q, "sidecar": None}
        r = issue_claim(p, None, 0, scores=sc)
        p["entries"].append(entry(i, None, 0, 0, r, sel=[100, 0, 0], scores=sc))
    cat.case("valid_soft", p, 0, honest(p), "soft scores, Hoeffding, Gaussian margin")


def betting_cases(cat: Catalogue) -> None:
    """Betting with per-sample sidecars (docs/format.md "Score sidecar"), honest and tampered."""
    p = soft_betting_predicate()
    for i, fmt in enumerate(("json", "npy")):
        sc, samples = write_sidecar(f"sidecars/soft_betting_{i}.{fmt}", soft_samples(i))
        r = issue_claim(p, None, 0, scores=sc, samples=samples)
        p["entries"].append(entry(i, None, 0, 0, r, sel=[100, 0, 0], scores=sc))
    why = "soft scores, betting interval from per-sample sidecars (entry 0 JSON, entry 1 .npy)"
    cat.case("valid_soft_betting", p, 0, honest(p), why)
    p = soft_betting_predicate()
    for i in range(2):
        sc, samples = write_sidecar(f"sidecars/tampered_{i}.json", soft_samples(10 + i))
        r = issue_claim(p, None, 0, scores=sc, samples=samples)
        p["entries"].append(entry(i, None, 0, 0, r, sel=[100, 0, 0], scores=sc))
    # after signing, entry 1's sidecar is rewritten with every label score raised (sha256 no longer matches)
    tampered = soft_samples(11)
    tampered[0] = [min(1.0, x + 0.05) for x in tampered[0]]
    why = "entry 1's sidecar edited after signing: sha256 mismatch (SA108)"
    cat.case("tampered_sidecar", p, 1, ["certified", "inconsistent-evidence"], why)
    write_sidecar("sidecars/tampered_1.json", tampered)


def signature_cases(cat: Catalogue) -> None:
    """A payload edited after signing, an untrusted key, no signature."""
    path = write("tampered_payload", valid_top1(), cat.release)
    env = json.loads(path.read_text())
    stmt = json.loads(base64.b64decode(env["payload"]))
    stmt["predicate"]["entries"][0]["claim"]["radius"] = "9.99"
    env["payload"] = base64.b64encode(
        json.dumps(stmt, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()
    ).decode()
    atomic_write(path, json.dumps(env, allow_nan=False).encode())
    cat.case("tampered_payload", None, 1, None, "payload edited after signing", signature="invalid")
    why = "signed by a key that is not trusted"
    cat.case("wrong_key", valid_top1(), 1, None, why, key=cat.other, signature="untrusted-key")
    write("unsigned", valid_top1(), None)
    cat.case("unsigned", None, 1, None, "no signature", signature="unsigned")


def inflated_cases(cat: Catalogue) -> None:
    """Claims above the exact radius by one ulp, by 1e-9 and by 10%."""
    counts, true = top1_counts()[0]
    R = exact_radius(base_predicate(), counts, 3)
    f = float(R)
    while Fraction(f) <= R:
        f = math.nextafter(f, math.inf)
    one_ulp = str(Decimal(f))  # exact value of the smallest float64 above the exact radius
    for name, claim, why in (
        ("inflated_1ulp", one_ulp, "claim = smallest float64 above the exact radius (<= 1 ulp)"),
        ("inflated_1e-9", decimal_string(R + Fraction(1, 10**9), 20, "up"), "exact radius + 1e-9"),
        ("inflated_10pct", decimal_string(R * Fraction(11, 10), 8, "up"), "exact radius x 1.1"),
    ):
        p = base_predicate()
        p["entries"].append(entry(0, counts, 3, true, claim))
        flags = ["rounding_only"] if name == "inflated_1ulp" else ["not_rounding_only"]
        if name == "inflated_10pct":
            flags.append("counterexample")
        cat.case(name, p, 1, ["inflated"], why, flags=flags)


CONTRADICTIONS = [  # (case, entry, why): one entry of valid_top1 made to contradict the document
    ("counts_not_summing", 1, "entry 1's counts add up to n+7"),
    ("counts_wrong_length", 4, "entry 4 has 11 counts (adding up to n) for 10 classes"),
    ("label_out_of_range", 2, "label 12 with 10 classes"),
    ("huge_counts", 0, "counts near 2^63 that cannot add up to n"),
    ("selection_size_mismatch", 0, "selection draw of 95 with n0=100"),
]


def evidence_cases(cat: Catalogue) -> None:
    """Evidence that cannot support the claim, or a document that contradicts itself."""
    p = base_predicate()
    p["entries"].append(entry(0, [50000, 40000, 10000] + [0] * 7, 0, 0, "0.01"))  # pA_low < 1/2
    cat.case("should_abstain", p, 1, ["should-abstain"], "pA_low <= 1/2 but a radius is claimed")
    for name, index, why in CONTRADICTIONS:
        p = valid_top1()
        e = p["entries"][index]
        if name == "counts_not_summing":
            e["counts"][0] += 7
        elif name == "counts_wrong_length":
            e["counts"].append(0)
        elif name == "label_out_of_range":
            e["claim"]["label"] = 12
        elif name == "huge_counts":
            e["counts"] = [2**62, 2**62] + [0] * 8
        else:
            e["selection_counts"] = [0, 0, 0, 90, 0, 5, 0, 0, 0, 0]
        cat.case(name, p, 1, override(p, {index: "inconsistent-evidence"}), why, structural=True)
    p = valid_top1()
    p["entries"].append(copy.deepcopy(p["entries"][0]))
    verdicts = override(p, {len(p["entries"]) - 1: "inconsistent-evidence"})
    cat.case("duplicate_entries", p, 1, verdicts, "entry 0 repeated (same id and input)")
    p = soft_predicate("hoeffding", 10000)
    sc = {"sum": ["9000", "600", "400"], "sumsq": ["9500", "100", "60"], "sidecar": None}
    p["entries"].append(entry(0, None, 0, 0, "0.1", sel=[100, 0, 0], scores=sc))
    why = "sumsq > sum is impossible for scores in [0,1]"
    cat.case("scores_impossible", p, 1, ["inconsistent-evidence"], why, structural=True)


def protocol_cases(cat: Catalogue) -> None:
    """Sampling-protocol violations: selection reuse, α overspent, asymptotic interval, seeds, summary."""
    n12 = len(top1_counts())
    p = valid_top1()
    p["statistics"].update(selection="estimation-reuse", n0=None)
    for e in p["entries"]:
        e["selection_counts"] = None
    cat.case(
        "selection_reuse", p, 1, ["protocol-violation"] * n12, "argmax of the estimation counts certified"
    )
    p = valid_top1()
    p["statistics"]["alpha_split"] = [
        {"bound": "pA_low", "alpha": "0.001"},
        {"bound": "pB_up", "alpha": "0.001"},
    ]
    cat.case("alpha_overspent", p, 1, ["protocol-violation"] * n12, "two bounds at alpha each")
    p = valid_top1()
    p["statistics"]["interval"] = "goodman"
    cat.case("asymptotic_interval", p, 1, ["protocol-violation"] * n12, "Goodman intervals are asymptotic")
    p = valid_top1()
    p["entries"][0]["selection_counts"] = [0, 0, 0, 40, 0, 60, 0, 0, 0, 0]  # the draw picked 5, claim is 3
    verdicts = override(p, {0: "protocol-violation"})
    cat.case("label_not_selected", p, 1, verdicts, "claim label is not the selection argmax")
    seed_cases(cat)
    p = valid_top1()
    p["summary"]["certified_accuracy"] = [{"radius": "0.25", "claimed": "0.5", "population_lower": "0.1",
                                           "rho": None}]  # fmt: skip
    cat.case("population_rho_missing", p, 1, ["protocol-violation"] * n12, "population bound without rho")
    p = valid_top1()
    p["summary"]["certified_accuracy"] = [{"radius": "0.25", "claimed": "1", "population_lower": None,
                                           "rho": None}]  # fmt: skip
    why = "claimed certified accuracy 1 at radius 0.25, not supported"
    cat.case("summary_inflated", p, 1, honest(p), why, flags=["summary_error"])


def seed_cases(cat: Catalogue) -> None:
    """A seed outside the declared rule; one seed shared by every input."""
    p = valid_top1()
    p["sampler"].update(base_seed=0, seed_rule=SEED_RULE)
    for i, e in enumerate(p["entries"]):
        e["seed"] = seed_for(0, i)
    p["entries"][2]["seed"] += 1
    why = "entry 2's seed is not the one its declared seed rule gives (re-drawn after sampling?)"
    cat.case("seed_not_by_rule", p, 1, override(p, {2: "protocol-violation"}), why)
    p = valid_top1()
    for e in p["entries"]:
        e["seed"] = 7
    p["summary"]["certified_accuracy"] = [{"radius": "0.25", "claimed": "0", "population_lower": "0",
                                           "rho": "0.001"}]  # fmt: skip
    why = "every input drawn with seed 7: each claim holds, the claimed population bound (even 0) does not"
    cat.case("seeds_shared", p, 1, honest(p), why, flags=["seed_shared"])


def unreadable_cases(cat: Catalogue) -> None:
    """A file cut short; a NaN inside a validly signed payload."""
    (CASES / "truncated.json").write_bytes((CASES / "valid_top1.json").read_bytes()[:300])
    cat.case("truncated", None, 2, None, "file cut short", signature=None)
    stmt = statement_of(valid_top1())
    # Deliberately invalid JSON (a NaN field) inside a valid signature: the verifier must refuse it (exit 2).
    # The statement itself is dumped NaN-free (allow_nan=False); the one NaN is spliced in afterwards.
    raw = json.dumps(stmt, sort_keys=True, separators=(",", ":"), allow_nan=False)
    raw = raw.replace('"case:0"', '"case:0","x":NaN')
    env = dsse.sign(dsse.Envelope(dsse.PAYLOAD_TYPE, raw.encode(), ()), cat.release)
    atomic_write(CASES / "nan.json", dsse.encode_envelope(env))
    cat.case("nan", None, 2, None, "NaN inside a signed payload")


def main() -> None:
    cat = Catalogue()
    for group in (valid_cases, betting_cases, signature_cases, inflated_cases, evidence_cases, protocol_cases,
                  unreadable_cases):  # fmt: skip
        group(cat)
    text = json.dumps(cat.expected, indent=2, sort_keys=True, allow_nan=False) + "\n"
    atomic_write(CASES / "expected.json", text.encode())
    print(f"wrote {len(cat.expected)} cases to {CASES}")


if __name__ == "__main__":
    main()
