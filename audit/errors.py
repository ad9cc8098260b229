"""One error hierarchy for the whole project (verifier and issuer).

Every user-facing failure is an :class:`AuditError`. Its message names *where* the problem is (file, entry
index, field) so the CLI can print one line and exit with :attr:`AuditError.exit_code` (2 for usage or
unreadable input, 1 for a verification failure) without a traceback.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from audit.escape import terminal


class AuditError(Exception):
    """Base class: a problem the user can act on. ``exit_code`` is what the CLI exits with."""

    exit_code: int = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        entry: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.entry = entry
        self.field = field

    def where(self) -> str:
        """``file: entry 3: field 'counts'`` style location prefix (empty if unknown)."""
        parts: list[str] = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.entry is not None:
            parts.append(f"entry {self.entry}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts)

    def with_location(
        self, *, file: str | None = None, entry: int | None = None, field: str | None = None
    ) -> AuditError:
        """Fill in still-unknown location parts; returns ``self`` (``raise e.with_location(...)``)."""
        if self.file is None:
            self.file = file
        if self.entry is None:
            self.entry = entry
        if self.field is None:
            self.field = field
        return self

    def __str__(self) -> str:
        loc = self.where()
        return f"{loc}: {self.message}" if loc else self.message


class UsageError(AuditError):
    """Bad command-line usage or contradictory options (exit 2)."""


class InputError(AuditError):
    """Unreadable, oversized or malformed input file (exit 2)."""


class FormatError(InputError):
    """The document parses but violates the certificate format or schema (exit 2)."""


class SignatureError(AuditError):
    """A signature does not verify or is not trusted (exit 1)."""

    exit_code = 1


class NumericError(AuditError):
    """A numerical routine could not reach the requested guarantee (exit 2)."""


class ModelLoadError(InputError):
    """A model file was refused (e.g. a pickle) or could not be loaded (exit 2)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: raised in the main thread so every ``finally`` (temporary files) runs."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated


def run_guarded(prog: str, func: Callable[[Any], int], args: Any) -> int:
    """Run a command; an :class:`AuditError` becomes one line ``PROG: error: ...`` on stderr (control
    characters made visible) and its exit code, never a traceback; Ctrl-C exits 130 and SIGTERM 143, both
    after the ``finally`` blocks ran (so no temporary file survives). Both command lines use this."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return int(func(args))
    except AuditError as exc:
        print(f"{prog}: error: {terminal(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except Terminated:
        print(f"{prog}: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
