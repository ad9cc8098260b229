"""Bounded reading, strict JSON parsing and atomic writing.

Guarantees:

* :func:`open_regular` is the one way an input file is opened: non-blocking, and refused unless ``fstat``
  says it is a regular file, before a byte is read (a FIFO or ``/dev/zero`` never blocks or streams).
* :func:`read_bounded` checks the file size from ``fstat`` *before* reading and never returns more than
  ``max_bytes`` bytes (a file that grows while being read is refused too); :func:`read_text` is the same,
  decoded as strict UTF-8.
* :func:`parse_json_strict` accepts only RFC 8259 JSON in UTF-8 and rejects NaN / Infinity / -Infinity,
  numbers that overflow a double, duplicate object keys, integers outside ``[-2**63, 2**63 - 1]``, strings
  longer than a limit or holding a lone surrogate, nesting deeper than a limit and more values (objects,
  arrays, strings, numbers) than a limit. Every refusal is an InputError naming the file.
* :func:`dumps_json` never writes NaN / Infinity (``allow_nan=False``).
* :func:`atomic_write` writes a temporary file in the target directory, fsyncs it and ``os.replace``-s it,
  so readers see either the old or the new file, never a partial one; the temporary file is removed on
  every exit path. It is the project's one writer of files.
* :func:`sha256_file` streams a file (1 MiB blocks); it is the project's one file digest.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from audit.errors import InputError
from audit.format.limits import CERTIFICATE_BYTES, JSON_DEPTH, JSON_STRING, JSON_VALUES, Limit, value_of

DEFAULT_MAX_BYTES = CERTIFICATE_BYTES.value
"""Default size limit for any certificate-like input file (256 MiB)."""

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


@dataclass(frozen=True)
class JsonLimits:
    """Limits enforced by :func:`parse_json_strict`."""

    max_depth: int = JSON_DEPTH.value
    max_string: int = JSON_STRING.value
    max_elements: int = JSON_VALUES.value
    int_min: int = INT_MIN
    int_max: int = INT_MAX


STATEMENT_LIMITS = JsonLimits()
"""Limits for a certificate statement (the DSSE payload)."""


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def open_regular(path: str | os.PathLike[str], max_bytes: int | Limit | None = None) -> tuple[BinaryIO, int]:
    """Open ``path`` for reading if it is a regular file (at most ``max_bytes``): (file object, size).

    The file is opened with ``O_NONBLOCK`` and checked with ``fstat`` *before* anything is read, so a FIFO,
    a socket, a terminal or a device (``/dev/zero``) is refused at once instead of blocking or streaming
    forever. This is the project's one way of opening an input file; every refusal is an InputError naming
    the file (exit 2).
    """
    name = os.fspath(path)
    try:
        fd = os.open(name, _OPEN_FLAGS)
    except FileNotFoundError:
        raise InputError("file not found", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=name) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a directory, expected a file", file=name)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("not a regular file (a pipe, device or socket is refused)", file=name)
        if max_bytes is not None and st.st_size > value_of(max_bytes):
            raise InputError(f"file is {st.st_size} bytes, above {_named(max_bytes)}", file=name)
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


def _named(limit: int | Limit) -> str:
    return f"the {limit} bytes" if isinstance(limit, Limit) else f"the limit of {limit} bytes"


def read_bounded(path: str | os.PathLike[str], max_bytes: int | Limit = CERTIFICATE_BYTES) -> bytes:
    """Return the bytes of ``path``; refuse (InputError) a missing/unreadable/non-regular file or one above
    ``max_bytes``.

    Opened through :func:`open_regular` (non-blocking, ``fstat`` before reading); at most ``max_bytes + 1``
    bytes are ever read, so an oversized (even sparse) file costs no time or memory; memory is proportional
    to the file's size, not to the limit.
    """
    name = os.fspath(path)
    limit = max_bytes
    max_bytes = value_of(limit)
    if max_bytes < 0:
        raise InputError("size limit must be non-negative", file=name)
    fh, size = open_regular(name, limit)
    try:
        with fh:
            # read what fstat announced (+1 to see growth); a buffer of max_bytes is never allocated up front
            data = fh.read(size + 1)
            if len(data) > size:  # the file grew since fstat: read on, still bounded
                data += fh.read(max(0, max_bytes + 1 - len(data)))
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=name) from None
    if len(data) > max_bytes:
        raise InputError(f"file grew above {_named(limit)} while reading", file=name)
    return data


def read_text(path: str | os.PathLike[str], max_bytes: int | Limit, *, what: str = "file") -> str:
    """:func:`read_bounded` decoded as strict UTF-8 (InputError naming the byte offset otherwise); a
    leading byte-order mark is dropped."""
    name = os.fspath(path)
    data = read_bounded(name, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text (byte {exc.start})", file=name) from None
    return text.removeprefix("\ufeff")


def sha256_bytes(data: bytes) -> str:
    """Lowercase hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Lowercase hex sha256 of a regular file's bytes (opened by :func:`open_regular`), streamed in 1 MiB
    blocks (InputError naming the file)."""
    name = os.fspath(path)
    h = hashlib.sha256()
    fh, _size = open_regular(name)
    try:
        with fh:
            while block := fh.read(1 << 20):
                h.update(block)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=name) from None
    return h.hexdigest()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (NaN/Infinity are rejected)")


def _pairs_no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _make_parse_int(limits: JsonLimits):
    # 20 characters hold every value in [-2**63, 2**63 - 1]; longer text is refused before int() runs.
    def parse_int(text: str) -> int:
        if len(text) > 20:
            raise ValueError(f"integer {text[:24]}... is too large")
        value = int(text)
        if not limits.int_min <= value <= limits.int_max:
            raise ValueError(f"integer {text} is outside [{limits.int_min}, {limits.int_max}]")
        return value

    return parse_int


def _parse_float(text: str) -> float:
    if len(text) > 64:
        raise ValueError(f"number {text[:24]}... is too long")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} overflows a double")
    return value


def parse_json_strict(
    data: bytes, *, file: str | None = None, limits: JsonLimits = STATEMENT_LIMITS, what: str = "JSON"
) -> Any:
    """Parse UTF-8 JSON bytes under ``limits``; every refusal is an InputError with ``file`` set."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not valid UTF-8 (byte {exc.start})", file=file) from None
    if text.startswith("\ufeff"):
        raise InputError(f"{what} starts with a byte-order mark", file=file)
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            object_pairs_hook=_pairs_no_duplicates,
            parse_int=_make_parse_int(limits),
            parse_float=_parse_float,
        )
    except RecursionError:
        raise InputError(f"{what} is nested too deeply", file=file) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=file
        ) from None
    except ValueError as exc:
        raise InputError(f"{what} rejected: {exc}", file=file) from None
    check_tree(value, limits=limits, file=file, what=what)
    return value


def check_tree(value: Any, *, limits: JsonLimits, file: str | None = None, what: str = "JSON") -> None:
    """Iteratively check nesting depth, element count and strings (keys included: length, and Unicode text:
    a lone surrogate such as the legal JSON escape ``\\ud800`` is refused, since no report could carry it)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    elements = 0
    while stack:
        node, depth = stack.pop()
        elements += 1
        if elements > limits.max_elements:
            raise InputError(
                f"{what} has more than {limits.max_elements} values ({JSON_VALUES.name})", file=file
            )
        if isinstance(node, dict):
            if depth > limits.max_depth:
                raise InputError(
                    f"{what} is nested deeper than {limits.max_depth} levels ({JSON_DEPTH.name})", file=file
                )
            for key, child in node.items():
                _check_string(key, limits, file, what, "an object key")
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            if depth > limits.max_depth:
                raise InputError(
                    f"{what} is nested deeper than {limits.max_depth} levels ({JSON_DEPTH.name})", file=file
                )
            stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str):
            _check_string(node, limits, file, what, "a string")


def _check_string(text: str, limits: JsonLimits, file: str | None, what: str, kind: str) -> None:
    if len(text) > limits.max_string:
        msg = f"{what} has {kind} of {len(text)} characters, above {limits.max_string} ({JSON_STRING.name})"
        raise InputError(msg, file=file)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            shown = f"U+{ord(text[exc.start]):04X}"
            msg = f"{what} has {kind} with a lone surrogate ({shown}): not Unicode text"
            raise InputError(msg, file=file) from None


def dumps_json(value: Any, *, indent: int | None = None, sort_keys: bool = True) -> bytes:
    """Serialise to UTF-8 JSON bytes; NaN/Infinity raise ValueError (``allow_nan=False``).

    With ``indent=None`` the output is compact (``,`` and ``:`` separators), ASCII-only and key-sorted:
    the canonical form used for certificate payloads.
    """
    if indent is None:
        text = json.dumps(
            value, allow_nan=False, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=True
        )
    else:
        text = (
            json.dumps(value, allow_nan=False, sort_keys=sort_keys, indent=indent, ensure_ascii=True) + "\n"
        )
    return text.encode("utf-8")


def atomic_write(
    path: str | os.PathLike[str], data: bytes, *, mode: int | None = None, make_parents: bool = False
) -> None:
    """Atomically replace ``path`` with ``data`` (temp file in the same directory, fsync, ``os.replace``).

    ``mode`` (e.g. ``0o600``) is applied to the temporary file before any data is written, so a secret is
    never readable by others, not even briefly. ``make_parents`` creates missing directories first. Errors
    become InputError naming ``path``; the temporary file never survives (not even a KeyboardInterrupt).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    tmp_name: str | None = None
    try:
        if make_parents:
            directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        try:
            os.fchmod(fd, 0o644 if mode is None else mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, target)
            tmp_name = None
        finally:
            if tmp_name is not None:
                os.unlink(tmp_name)
        _fsync_dir(directory)
    except OSError as exc:
        raise InputError(f"cannot write file: {exc.strerror or exc}", file=os.fspath(path)) from None


def _fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
