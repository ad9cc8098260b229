"""Which (alpha, n) settings can produce every radius printed in a Cohen ``certify.py`` log.

Guarantees: a pair is reported consistent only if every non-abstaining row's printed radius is reproduced by
some count at that (alpha, n) (Cohen radius with one-sided CP, theory layer's float path — the arithmetic the
log was printed from; the float and exact radii differ by ~1e-15, far below the printing resolution).
Rows are checked largest radius first and a pair stops at its first failure (``first_failure``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from audit.format.numbers import decimal_string, parse_decimal, printed_interval
from audit.importers.cohen import cohen_radius_fn
from audit.importers.cohen_log import parse_cohen_log
from audit.importers.printed import smallest_count

DEFAULT_ALPHAS = ("0.1", "0.05", "0.01", "0.005", "0.001", "0.0001")
DEFAULT_NS = (1000, 10000, 50000, 100000, 200000, 500000, 1000000)


@dataclass(frozen=True)
class PairResult:
    alpha: str
    n: int
    consistent: bool
    max_radius: str  # largest reachable radius at (alpha, n), 6 significant digits, rounded down
    first_failure: str | None  # printed radius that no count reproduces


def check_pair(printed: list[str], sigma: Fraction, alpha: str, n: int) -> PairResult:
    fn = cohen_radius_fn(sigma, n, parse_decimal(alpha), None)
    top = fn(n)
    max_text = decimal_string(top, 6, "down") if top is not None else "abstain"
    for text in printed:
        lo, hi = printed_interval(text)
        if smallest_count(lo, hi, n, fn) is None:
            return PairResult(alpha, n, False, max_text, text)
    return PairResult(alpha, n, True, max_text, None)


def consistency_grid(
    log: str | Path, sigma: str, alphas: tuple[str, ...] = DEFAULT_ALPHAS, ns: tuple[int, ...] = DEFAULT_NS
) -> list[PairResult]:
    rows = parse_cohen_log(log)
    printed = sorted({r.radius for r in rows if not r.abstain}, key=lambda t: -parse_decimal(t))
    sig = parse_decimal(sigma)
    return [check_pair(printed, sig, a, n) for a in alphas for n in ns]
