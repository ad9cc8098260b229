"""The method registry and every face that must follow it: a method missing from any face fails here.

Faces: the command-line choices of ``audit radius`` and ``certs certify``, the published JSON Schema's name
syntax, the issuer's defaults, the policy's interval names, the asymptotic-interval rule, the verifier's
slack alternatives, ``audit methods`` and the generated tables in docs/intervals.md. Every (radius method,
interval) pair the registry allows is also derived once on real-looking evidence (the parametrisation comes
from the registry itself, so a new method is exercised without editing this file).
"""

from __future__ import annotations

import argparse
import json
import re
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

from audit.cli import build_parser
from audit.errors import UsageError
from audit.format.model import NAME_PATTERN, Scores
from audit.format.numbers import NonNegDec
from audit.reports.methods import registry_json, registry_markdown
from audit.theory import FLOAT, CertificationSpec, Evidence, derive, methods, mp_backend
from audit.theory.methods import EvidenceKind, Need
from audit.verify.policy import parse_policy

ROOT = Path(__file__).resolve().parents[2]
NAMES = [m.name for m in methods.intervals()] + [m.name for m in methods.radius_methods()]


def _choices(parser: argparse.ArgumentParser, *path: str, option: str) -> list[str]:
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    action = next(a for a in parser._actions if option in a.option_strings)
    return list(action.choices)


def test_names_are_unique_and_aliases_resolve() -> None:
    assert len(NAMES) == len(set(NAMES))
    for m in methods.intervals():
        for alias in m.aliases:
            assert methods.interval(alias) is m
    with pytest.raises(UsageError, match="known:"):
        methods.interval("no-such-interval")


def test_every_name_fits_the_published_schema() -> None:
    schema = json.loads(
        resources.files("audit.format").joinpath("schema/certificate.schema.json").read_text()
    )
    pattern = schema["$defs"]["methodName"]["pattern"]
    for name in NAMES + [a for m in methods.intervals() for a in m.aliases]:
        assert re.search(pattern, name) and re.search(NAME_PATTERN, name), name


def test_audit_radius_offers_exactly_the_registry() -> None:
    parser = build_parser()
    hard = [m.name for m in methods.radius_methods(output="hard")]
    assert _choices(parser, "radius", option="--method") == hard
    counting = [m.name for m in methods.intervals(certifying=True, evidence=EvidenceKind.COUNTS)]
    assert _choices(parser, "radius", option="--interval") == counting
    assert sorted(_choices(parser, "radius", option="--family")) == sorted(
        f.cli_name for f in methods.families()
    )


def test_certs_certify_offers_exactly_the_registry() -> None:
    pytest.importorskip("torch")
    from certs.cli import build_parser as certs_parser

    parser = certs_parser()
    assert _choices(parser, "certify", option="--interval") == [
        m.name for m in methods.intervals(certifying=True)
    ]
    assert _choices(parser, "certify", option="--radius-method") == [m.name for m in methods.radius_methods()]
    assert _choices(parser, "certify", option="--noise") == [f.name for f in methods.families()]


def test_issuer_defaults_resolve_for_every_family() -> None:
    pytest.importorskip("torch")
    from certs.certify import CertifyOptions, resolve_defaults
    from certs.noise import NoiseSpec

    params = {"sigma": {"sigma": "0.25"}, "lambda": {"lam": "0.5"}, "keep": {"keep": 5}}
    for fam in methods.families():
        noise = NoiseSpec(fam.name, **params[fam.parameter])
        for k, soft, want in ((1, False, fam.top1), (3, False, fam.topk), (1, True, fam.soft)):
            if want is None:
                continue
            rm, iv, sel = resolve_defaults(CertifyOptions(noise=noise, k=k, soft=soft))
            assert rm == want and iv == methods.radius_method(want).default_interval
            assert methods.usable(methods.radius_method(rm), methods.interval(iv), k)
            assert sel == ("fixed-label" if k > 1 else "separate-draw")


def test_policy_accepts_exactly_the_finite_sample_intervals() -> None:
    for m in methods.intervals():
        text = {"statistics": {"allowed_intervals": [m.name, *m.aliases]}}
        if m.finite_sample:
            (rule,) = parse_policy(text).rules.rules
            assert rule.canonical == {m.name}
        else:
            with pytest.raises(UsageError, match="not a valid finite-sample interval"):
                parse_policy(text)


def test_audit_methods_and_the_docs_table_list_every_method() -> None:
    doc = registry_json()
    assert [m["name"] for m in doc["intervals"]] + [m["name"] for m in doc["radius_methods"]] == NAMES
    text = (ROOT / "docs" / "intervals.md").read_text(encoding="utf-8")
    begin = text.index("<!-- registry:begin")
    start = text.index("\n", begin) + 1
    end = text.index("<!-- registry:end -->")
    assert text[start:end] == registry_markdown(), (
        "docs/intervals.md is stale: python scripts/registry_docs.py"
    )
    for name in NAMES:
        assert f"`{name}`" in text[start:end]


def _evidence(rm: methods.RadiusMethod, iv: methods.IntervalMethod) -> Evidence:
    """Evidence of the kind ``iv`` reads, for a 4-class problem with a clear winner (label 2)."""
    if iv.evidence is EvidenceKind.COUNTS:
        return Evidence(label=2, n=1000, counts=(30, 20, 930, 20))
    means = [Fraction(3, 100), Fraction(2, 100), Fraction(93, 100), Fraction(2, 100)]
    sums = [NonNegDec(t) for t in ("30", "20", "930", "20")]  # 1000 · mean
    sqs = [NonNegDec(t) for t in ("0.9", "0.4", "864.9", "0.4")]  # 1000 · mean²: a constant score per class
    samples = [[m] * 1000 for m in means]
    return Evidence(label=2, n=1000, scores=Scores(sum=sums, sumsq=sqs, sidecar=None), samples=samples)


PARAMS = {"sigma": "0.5", "lam": "0.5", "d": 64, "keep": 8, "lipschitz": "1"}
PAIRS = [
    (rm, iv, k)
    for rm in methods.radius_methods()
    for iv in methods.intervals(certifying=True)
    for k in ((1, 2) if rm.topk else (1,))
    if methods.usable(rm, iv, k)
]


@pytest.mark.parametrize(("rm", "iv", "k"), PAIRS, ids=[f"{r.name}-{i.name}-k{k}" for r, i, k in PAIRS])
def test_every_allowed_pair_derives_and_spends_exactly_alpha(rm, iv, k) -> None:
    family = rm.family or "gaussian"
    spec = CertificationSpec(family=family, radius_method=rm.name, interval=iv.name, alpha="0.001", k=k,
                             num_classes=4, **PARAMS)  # fmt: skip
    ev = _evidence(rm, iv)
    exact = derive(spec, ev, mp_backend(30))
    fast = derive(spec, ev, FLOAT)
    assert sum(a for _, a in exact.alpha_split) == Fraction(1, 1000)
    assert exact.radius is not None and exact.radius > 0  # the evidence is strong: every method certifies
    assert Fraction(fast.radius) <= mp_backend(30).to_fraction(exact.radius)  # the float path never above
    assert rm.names.lower in exact.bounds
    if rm.need is Need.EACH:
        assert {f"p_up[{i}]" for i in (0, 1, 3)} <= set(exact.bounds)


def test_pairs_the_registry_refuses_are_refused_by_the_spec() -> None:
    refused = [
        (rm, iv)
        for rm in methods.radius_methods()
        for iv in methods.intervals()
        if not methods.usable(rm, iv, 1)
    ]
    assert refused  # e.g. cohen with hoeffding, topk with cp, anything with an asymptotic interval
    for rm, iv in refused:
        with pytest.raises(UsageError):
            CertificationSpec(family=rm.family or "gaussian", radius_method=rm.name, interval=iv.name,
                              alpha="0.001", num_classes=4, **PARAMS)  # fmt: skip
