"""Policy TOML parsing: exact numbers, key paths relative to the policy file, clear usage errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from audit.errors import UsageError
from audit.verify.policy import load_policy

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
    with pytest.raises(UsageError):
        load_policy(tmp_path / "nope.toml")
