"""``audit radius``: the issue's example invocations, JSON shape, exit codes."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from audit.cli import main


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_cohen_table(capsys) -> None:
    argv = "radius --family gaussian-l2 --sigma 0.25 --n 100000 --alpha 0.001 --count 99000".split()
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "radius" in err and "0.5724999" in err  # 0.25 * 2.28999995...


def test_topk_simuem_json(capsys) -> None:
    out = _json(
        capsys,
        "radius --family gaussian-l2 --sigma 0.25 --n 100000 --alpha 0.001 --interval simuem --k 3 --label 3 "
        "--counts 2,2,334,93642,2,5279,737,0,2,0 --json".split(),
    )
    assert out["method"] == "topk" and out["precision"] == "mpmath-50" and out["alpha"] == "0.001"
    assert abs(Fraction(out["radius"]) - Fraction("0.5504707425")) < Fraction(1, 10**9)
    assert sum(Fraction(a["alpha"]) for a in out["alpha_split"]) == Fraction(1, 1000)
    assert out["abstain"] is False


def test_bounds_modes(capsys) -> None:
    out = _json(
        capsys,
        "radius --family gaussian-l2 --sigma 0.5 --k 3 --lower 0.5 --upper 0.2,0.15,0.1,0.05 --json".split(),
    )
    assert out["radius"].startswith("0.3534432026309731")
    out = _json(
        capsys,
        "radius --family ablation-l0 --d 1024 --keep 50 --k 3 --lower 0.8 "
        "--upper 0.1,0.05,0.03 --json".split(),
    )
    assert out["radius"] == "16"
    out = _json(capsys, "radius --family laplace-l1 --lambda 0.5 --lower 0.8 --upper 0.15 --json".split())
    assert out["radius"].startswith("0.52491106224933884")
    assert out["comparison"]["lecuyer"].startswith("0.4184941083929")


def test_precision_and_float(capsys) -> None:
    base = "radius --family gaussian-l2 --sigma 0.25 --n 100000 --alpha 0.001 --count 99000 --json".split()
    f = _json(capsys, [*base, "--float"])
    m = _json(capsys, [*base, "--precision", "30"])
    assert f["precision"] == "float64" and m["precision"] == "mpmath-30"
    assert Fraction(f["radius"]) <= Fraction(m["radius"])
    assert len(m["radius"].split(".")[1]) >= 28


def test_abstain(capsys) -> None:
    out = _json(
        capsys,
        "radius --family gaussian-l2 --sigma 0.25 --n 100000 --alpha 0.001 --count 50000 --json".split(),
    )
    assert out["abstain"] is True and out["radius"] is None


@pytest.mark.parametrize(
    "argv",
    [
        "radius --family gaussian-l2 --sigma 0.25 --n 100 --alpha 0.001 --count 200",
        "radius --family laplace-l1 --lower 0.8 --upper 0.15",
        "radius --family gaussian-l2 --sigma 0.25 --n 100 --alpha 2 --count 50",
        "radius --family gaussian-l2 --sigma 0.25",
    ],
)
def test_usage_errors_exit_2(capsys, argv: str) -> None:
    assert main(argv.split()) == 2
    assert "error" in capsys.readouterr().err
