"""Bad input at the library level: every case is an InputError/FormatError (exit 2), one-line message."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from bad_inputs import CASES, counts_not_summing

from audit.errors import FormatError, InputError
from audit.format import load_certificate, validate_semantics


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_with_location(name: str, tmp_path: Path) -> None:
    write, where = CASES[name]
    path = tmp_path / f"{name}.json"
    write(path)
    tracemalloc.start()
    with pytest.raises(InputError) as exc:
        load_certificate(path, [], allow_unsigned=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    err = exc.value
    assert err.exit_code == 2
    msg = str(err)
    assert msg.startswith(f"{path}: "), msg
    assert "\n" not in msg and len(msg) < 400
    assert where in msg
    assert peak < 64 * 2**20  # the 300 MiB file is refused from its size, never read into memory


def test_counts_not_summing_to_n_is_a_format_error_naming_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(counts_not_summing())
    loaded = load_certificate(path, [], allow_unsigned=True)  # schema-valid: loads
    assert loaded.statement is not None
    with pytest.raises(FormatError) as exc:
        validate_semantics(loaded.statement, file=str(path))
    assert (exc.value.entry, exc.value.field, exc.value.exit_code) == (0, "counts", 2)
    assert "add up to 101, expected n=100" in str(exc.value)


def test_configurable_size_limit(tmp_path: Path) -> None:
    write, _ = CASES["missing-field"]
    path = tmp_path / "c.json"
    write(path)
    size = path.stat().st_size
    with pytest.raises(InputError, match="above the limit"):
        load_certificate(path, [], allow_unsigned=True, max_bytes=size - 1)
    with pytest.raises(FormatError):  # within the limit it is read and then refused for the schema
        load_certificate(path, [], allow_unsigned=True, max_bytes=size)
