"""Policy TOML parsing: exact numbers, key paths relative to the policy file, clear usage errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from audit.errors import InputError, UsageError
from audit.verify.policy import POLICY_MAX_BYTES, load_policy, parse_policy

GOOD = """
[keys]
trusted = ["release.pub"]

[statistics]
max_alpha = "0.001"
min_n = 10000
allowed_intervals = ["cp", "simuem"]

[[gates]]
name = "pop"
metric = "population_lower"
norm = "l2"
radius = "0.5"
min = "0.40"
rho = "0.001"

[[gates]]
metric = "rederived"
radius = 0.25
min = 0.1
"""


def test_good_policy(tmp_path: Path) -> None:
    p = tmp_path / "policy.toml"
    p.write_text(GOOD)
    pol = load_policy(p)
    assert pol.trusted_keys == (tmp_path / "release.pub",)
    assert pol.max_alpha == Fraction(1, 1000)
    assert pol.min_n == 10000
    assert pol.allowed_intervals == ("cp", "simuem")
    g0, g1 = pol.gates
    assert (g0.radius, g0.minimum, g0.rho) == (Fraction(1, 2), Fraction(2, 5), Fraction(1, 1000))
    assert g0.norm == "l2"
    # a TOML float is read through its shortest repr: 0.1 means exactly 1/10
    assert (g1.radius, g1.minimum) == (Fraction(1, 4), Fraction(1, 10))


@pytest.mark.parametrize(
    "text",
    [
        "[statistics]\nmax_alpha = 'abc'\n",
        "[statistics]\nmax_alpha = '2'\n",
        "[statistics]\nallowed_intervals = ['goodman']\n",
        "[statistics]\nmin_n = -3\n",
        "[[gates]]\nmetric = 'population_lower'\nradius = '0.5'\nmin = '0.4'\n",  # no rho
        "[[gates]]\nmetric = 'bogus'\nradius = '0.5'\nmin = '0.4'\n",
        "[surprise]\nx = 1\n",
        "this is not toml = = =",
    ],
)
def test_bad_policy_is_usage_error(tmp_path: Path, text: str) -> None:
    p = tmp_path / "policy.toml"
    p.write_text(text)
    with pytest.raises(UsageError) as exc:
        load_policy(p)
    assert str(p) in str(exc.value)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_policy(tmp_path / "nope.toml")
    assert exc.value.exit_code == 2 and exc.value.file == str(tmp_path / "nope.toml")


def test_policy_read_is_bounded_and_regular_only(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (POLICY_MAX_BYTES.value + 1))
    with pytest.raises(InputError, match="above the limit policy_bytes"):
        load_policy(big)
    with pytest.raises(InputError, match="is a directory"):
        load_policy(tmp_path)  # a directory


def _ctx(rederived: list[tuple[int, str]], norm: str = "l2"):
    """A gate context over entries whose label and re-derived radius are given (true label 0)."""
    from documents import typed
    from verify_builders import SUBJECT, predicate

    from audit.verify.policy import Context
    from audit.verify.verdicts import EntryResult, Verdict

    p = predicate()
    if norm == "l1":
        p["smoothing"].update(family="laplace", sigma=None, **{"lambda": "0.5"})
        p["guarantee"].update(norm="l1", radius_method="laplace-binary")
    results = [
        EntryResult(
            index=i, id=f"e{i}", verdict=Verdict.CERTIFIED, claimed=r, derived=r, label=lab, true_label=0
        )
        for i, (lab, r) in enumerate(rederived)
    ]
    return Context(typed(p, SUBJECT).predicate, results, 50)


def test_policy_is_an_allof_of_small_rules() -> None:
    from audit.verify.policy import AllOf, AllowedIntervals, Gate, MaxAlpha, MinN

    pol = parse_policy(
        {
            "statistics": {"max_alpha": "0.001", "min_n": 100, "allowed_intervals": ["cp", "exact"]},
            "gates": [{"metric": "rederived", "radius": "0.5", "min": "0.5"}],
        }
    )
    assert isinstance(pol.rules, AllOf)
    kinds = [type(r) for r in pol.rules.rules]
    assert kinds == [MaxAlpha, MinN, AllowedIntervals, Gate]
    (allowed,) = [r for r in pol.rules.rules if isinstance(r, AllowedIntervals)]
    assert allowed.canonical == {"cp", "exact-margin"}  # an alias read from an old policy


def test_any_of_passes_when_one_gate_passes() -> None:
    from audit.verify.policy import AnyOf

    pol = parse_policy(
        {
            "any_of": [
                {
                    "name": "l2 or l1",
                    "gates": [
                        {"metric": "rederived", "norm": "l2", "radius": "0.5", "min": "0.5"},
                        {"metric": "rederived", "norm": "l1", "radius": "0.5", "min": "0.5"},
                    ],
                }
            ]
        }
    )
    (rule,) = pol.rules.rules
    assert isinstance(rule, AnyOf) and [g.norm for g in rule.gates] == ["l2", "l1"]
    # two of three entries certified at 0.5 with the true label: 2/3 >= 0.5 on an l2 certificate
    (res,) = pol.rules.gate_results(_ctx([(0, "0.6"), (0, "0.7"), (1, "0.9")], norm="l2"))
    assert res.passed and res.name == "l2 or l1" and "l1 but the certificate certifies l2" in res.message
    # on an l1 certificate with one of three: 1/3 < 0.5, and the l2 gate does not apply: fails
    (res,) = pol.rules.gate_results(_ctx([(0, "0.6"), (1, "0.7"), (1, "0.9")], norm="l1"))
    assert not res.passed


@pytest.mark.parametrize(
    "any_of",
    [
        [{"name": "x"}],
        [{"name": "x", "gates": []}],
        [{"name": "x", "gates": [{"metric": "rederived", "radius": "0.5"}]}],
        [{"name": "x", "gates": [], "extra": 1}],
    ],
)
def test_bad_any_of_is_a_usage_error(any_of) -> None:
    with pytest.raises(UsageError):
        parse_policy({"any_of": any_of})
