"""A rich progress bar for certify and replay runs (inputs done, samples/s, ETA) on stderr; off when quiet."""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class CertifyProgress:
    """Callable progress hook for :func:`certs.certify.certify`; use as a context manager."""

    def __init__(self, enabled: bool = True, label: str = "certify") -> None:
        self.enabled = enabled
        self.label = label
        self._progress: Progress | None = None
        self._task: Any = None
        self._samples = 0
        self._t0 = time.perf_counter()

    def __enter__(self) -> CertifyProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn(self.label),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("inputs"),
                TextColumn("{task.fields[rate]} samples/s"),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=False,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if self._progress is None:
            return
        if event == "start":
            self._task = self._progress.add_task(
                self.label, total=info["total"], completed=info["done"], rate="-"
            )
            self._t0 = time.perf_counter()
        elif event == "batch":
            self._samples += info["samples"]
            dt = time.perf_counter() - self._t0
            if dt > 0 and self._task is not None:
                self._progress.update(self._task, rate=f"{self._samples / dt:,.0f}")
        elif event == "input" and self._task is not None:
            self._progress.update(self._task, completed=info["done"])
