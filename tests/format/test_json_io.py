"""Strict JSON parsing, bounded reading (size checked before reading) and atomic writes."""

from __future__ import annotations

import os
import stat
import tracemalloc
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.format.io import JsonLimits, atomic_write, dumps_json, parse_json_strict, read_bounded


@pytest.mark.parametrize(
    "text",
    [
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": -Infinity}',
        '{"a": 1e999}',  # overflows a double to inf
        '{"a": -1e400}',
        '{"a": 1, "a": 2}',  # duplicate key
        '{"a": {"b": 1, "b": 1}}',
        '{"a": 9223372036854775808}',  # 2**63
        '{"a": -9223372036854775809}',
        '{"a": ' + "9" * 5000 + "}",  # would hit Python's int-digits limit; refused before int()
        '{"a": 1',  # truncated
        "not json",
        "",
        '{"a": 1} trailing',
        "\ufeff{}",  # BOM
    ],
)
def test_invalid_or_hostile_json_is_refused(text: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_json_strict(text.encode(), file="x.json")
    assert str(exc.value).startswith("x.json: ")
    assert "\n" not in str(exc.value)


def test_int64_boundaries_are_accepted() -> None:
    assert parse_json_strict(b"[9223372036854775807, -9223372036854775808]") == [2**63 - 1, -(2**63)]


def test_non_utf8_is_refused() -> None:
    with pytest.raises(InputError, match="UTF-8"):
        parse_json_strict(b'{"a": "\xff"}')


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    with pytest.raises(InputError, match="nested"):
        parse_json_strict(b"[" * depth + b"]" * depth)
    with pytest.raises(InputError, match="nested"):
        parse_json_strict(b'{"a":' * depth + b"1" + b"}" * depth)


def test_nesting_at_the_limit_is_accepted() -> None:
    assert parse_json_strict(b"[" * 64 + b"]" * 64, limits=JsonLimits(max_depth=64)) is not None


def test_long_strings_are_refused() -> None:
    limits = JsonLimits(max_string=10)
    assert parse_json_strict(b'"0123456789"', limits=limits) == "0123456789"
    with pytest.raises(InputError, match="string"):
        parse_json_strict(b'"01234567890"', limits=limits)
    with pytest.raises(InputError, match="key"):
        parse_json_strict(b'{"01234567890": 1}', limits=limits)


def test_dumps_refuses_nan() -> None:
    with pytest.raises(ValueError):
        dumps_json({"a": float("nan")})
    with pytest.raises(ValueError):
        dumps_json([float("inf")])
    assert dumps_json({"b": 1, "a": [1, "x"]}) == b'{"a":[1,"x"],"b":1}'


def test_read_bounded_checks_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # sparse 300 MiB file: no disk or time cost
        fh.truncate(300 * 1024 * 1024)
    tracemalloc.start()
    with pytest.raises(InputError, match="above the limit") as exc:
        read_bounded(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2**20  # refused from fstat: not a byte of the 300 MiB was read
    assert str(big) in str(exc.value)
    small = tmp_path / "s.json"
    small.write_bytes(b"x" * 11)
    assert read_bounded(small, max_bytes=11) == b"x" * 11
    with pytest.raises(InputError, match="above the limit"):
        read_bounded(small, max_bytes=10)


def test_read_bounded_never_reads_an_oversized_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big"
    with open(big, "wb") as fh:
        fh.truncate(1000)
    from audit.format import io as io_module

    class NoRead:
        """A file object whose read() fails the test: only fstat on its descriptor is allowed."""

        def __init__(self, name: str, mode: str) -> None:
            self._fh = open(name, mode)

        def __enter__(self) -> NoRead:
            return self

        def __exit__(self, *_a: object) -> None:
            self._fh.close()

        def fileno(self) -> int:
            return self._fh.fileno()

        def read(self, *_a: object) -> bytes:
            raise AssertionError("read() called on an oversized file")

    monkeypatch.setattr(io_module, "open", NoRead, raising=False)
    with pytest.raises(InputError, match="above the limit"):
        read_bounded(big, max_bytes=999)


def test_read_bounded_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_bounded(tmp_path / "nope")
    with pytest.raises(InputError):
        read_bounded(tmp_path)


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    atomic_write(tmp_path / "secret", b"k", mode=0o600)
    assert stat.S_IMODE(os.stat(tmp_path / "secret").st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "secret"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")

    def boom(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(InputError, match="No space left"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
