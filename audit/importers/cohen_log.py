"""Parser for the log of Cohen et al.'s ``certify.py`` (locuslab/smoothing).

Format: a header line ``idx label predict radius correct time`` then one tab-separated row per input;
``predict`` is the certified class or -1 (abstain), ``radius`` is ``σ·Φ⁻¹(pA_low)`` printed with ``"{:.3}"``
(0.0 when abstaining). Guarantees: every row is validated (integers, a finite radius with at most three
significant digits, correct ∈ {0,1}); problems raise :class:`audit.errors.InputError` naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audit.errors import InputError
from audit.format.numbers import printed_value

MAX_LOG_BYTES = 64 * 1024 * 1024
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


def _int(text: str, what: str, path: str, line: int) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InputError(f"line {line}: {what} is not an integer: {text!r}", file=path) from None


def parse_cohen_log(path: str | Path) -> list[LogRow]:
    """All rows of a ``certify.py`` log (header required; blank lines ignored)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_LOG_BYTES:
            raise InputError(f"log larger than {MAX_LOG_BYTES} bytes", file=str(p))
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read log: {exc.strerror or exc}", file=str(p)) from None
    except UnicodeDecodeError:
        raise InputError("log is not UTF-8 text", file=str(p)) from None
    lines = text.splitlines()
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
        idx = _int(cols[0], "idx", str(p), i)
        label = _int(cols[1], "label", str(p), i)
        predict = _int(cols[2], "predict", str(p), i)
        correct = _int(cols[4], "correct", str(p), i)
        try:
            value = printed_value(cols[3].strip())
        except ValueError as exc:
            raise InputError(f"line {i}: radius {exc}", file=str(p)) from None
        if label < 0 or predict < -1 or correct not in (0, 1):
            raise InputError(f"line {i}: label/predict/correct out of range", file=str(p))
        if correct != int(predict == label):
            msg = f"line {i}: correct={correct} contradicts predict={predict}, label={label}"
            raise InputError(msg, file=str(p))
        if predict == -1 and value != 0:
            raise InputError(f"line {i}: an abstaining row must print radius 0.0", file=str(p))
        if value < 0:
            raise InputError(f"line {i}: negative radius", file=str(p))
        rows.append(LogRow(i, idx, label, predict, cols[3].strip(), correct, cols[5].strip()))
    if not rows:
        raise InputError("log has no rows", file=str(p))
    return rows
