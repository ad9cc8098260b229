"""Parser for the log of Cohen et al.'s ``certify.py`` (locuslab/smoothing).

Format: a header line ``idx label predict radius correct time`` then one tab-separated row per input;
``predict`` is the certified class or -1 (abstain), ``radius`` is ``σ·Φ⁻¹(pA_low)`` printed with ``"{:.3}"``
(0.0 when abstaining). Guarantees: every row is validated (integers, a finite radius with at most three
significant digits, correct ∈ {0,1}, labels in [0, MAX_LABEL]); the file is read through the one bounded
reader and every number through the one strict parser (ASCII digits only); problems raise
:class:`audit.errors.InputError` naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audit.errors import InputError
from audit.format.io import read_text
from audit.format.limits import CLASSES, LOG_BYTES
from audit.format.numbers import NumberError, parse_int, printed_value

MAX_LABEL = CLASSES.value - 1
"""Labels and predictions above this are refused (at most 100,000 classes; ImageNet-21k has 21,841)."""
HEADER = ("idx", "label", "predict", "radius", "correct", "time")


@dataclass(frozen=True)
class LogRow:
    line: int  # 1-based line number in the log
    idx: int
    label: int
    predict: int  # -1 = abstain
    radius: str  # the printed text, verbatim
    correct: int
    time: str

    @property
    def abstain(self) -> bool:
        return self.predict == -1


def _int(text: str, what: str, path: str, line: int, low: int, high: int) -> int:
    """One column as an ASCII integer in [low, high] (the project's one integer parser)."""
    try:
        return parse_int(text.strip(" \r"), what=what, low=low, high=high)
    except NumberError as exc:
        raise InputError(f"line {line}: {exc.message}", file=path) from None


def parse_cohen_log(path: str | Path) -> list[LogRow]:
    """All rows of a ``certify.py`` log (header required; blank lines ignored)."""
    p = Path(path)
    lines = read_text(p, LOG_BYTES, what="log").splitlines()
    if not lines or tuple(c.strip() for c in lines[0].split("\t")) != HEADER:
        raise InputError(f"line 1: expected the header {' '.join(HEADER)!r} (tab separated)", file=str(p))
    rows: list[LogRow] = []
    for i, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cols = raw.split("\t")
        if len(cols) != len(HEADER):
            msg = f"line {i}: expected {len(HEADER)} tab-separated columns, got {len(cols)}"
            raise InputError(msg, file=str(p))
        idx = _int(cols[0], "idx", str(p), i, 0, 2**63 - 1)
        label = _int(cols[1], "label", str(p), i, 0, MAX_LABEL)
        predict = _int(cols[2], "predict", str(p), i, -1, MAX_LABEL)
        correct = _int(cols[4], "correct", str(p), i, 0, 1)
        try:
            value = printed_value(cols[3].strip(" \r"))
        except ValueError as exc:
            raise InputError(f"line {i}: radius {exc}", file=str(p)) from None
        if correct != int(predict == label):
            msg = f"line {i}: correct={correct} contradicts predict={predict}, label={label}"
            raise InputError(msg, file=str(p))
        if predict == -1 and value != 0:
            raise InputError(f"line {i}: an abstaining row must print radius 0.0", file=str(p))
        if value < 0:
            raise InputError(f"line {i}: negative radius", file=str(p))
        rows.append(LogRow(i, idx, label, predict, cols[3].strip(" \r"), correct, cols[5].strip(" \r")))
    if not rows:
        raise InputError("log has no rows", file=str(p))
    return rows
