"""Human report on stderr: a rich table of entries (failures first), file checks, summary and gates.

Guarantee: every text taken from a certificate or policy (paths, ids, messages quoting them, gate names)
reaches the terminal through :func:`_t` (control characters made visible, then rich markup escaped) or as a
plain :class:`rich.text.Text` cell, so a file can neither send escape sequences nor style the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from audit.escape import terminal
from audit.verify.verdicts import FileReport, Severity

_STYLE = {
    "certified": "green",
    "abstained": "dim",
    "inflated": "red",
    "should-abstain": "red",
    "protocol-violation": "magenta",
    "inconsistent-evidence": "bold red",
}


def _t(text: object) -> str:
    """Untrusted text for a markup string: terminal controls made visible, rich markup escaped."""
    return escape(terminal(str(text)))


def _cell(text: object) -> Text:
    """Untrusted text as a table cell (never parsed as markup)."""
    return Text(terminal(str(text)))


def render_console(reports: Sequence[FileReport], stream: TextIO, *, max_rows: int = 40) -> None:
    """Print the report to ``stream``; at most ``max_rows`` entry rows per file (failing entries first)."""
    console = Console(file=stream, width=140, highlight=False, soft_wrap=False)
    for rep in reports:
        if rep.error is not None:
            console.print(f"[bold red]ERROR[/] {_t(rep.error)}")
            continue
        status = "[green]PASS[/]" if rep.passed else "[bold red]FAIL[/]"
        console.print(
            f"{status} {_t(rep.path)}  signature: {rep.signature}  subject: {rep.subject}  "
            f"precision: {rep.precision} digits"
        )
        for f in rep.findings:
            if f.severity != Severity.NOTE:
                console.print(f"  \\[{f.rule}] {f.severity}: {_t(f.message)} ({_t(f.pointer or '/')})")
        counts = ", ".join(f"{k}: {v}" for k, v in rep.counts().items() if v)
        console.print(f"  entries: {len(rep.entries)} ({counts})")
        rows = sorted(rep.entries, key=lambda e: (e.passed, e.index))[:max_rows]
        if rows:
            table = Table(show_lines=False, title=None)
            for col in ("#", "id", "verdict", "claimed", "re-derived", "why"):
                table.add_column(col, overflow="fold")
            for e in rows:
                table.add_row(
                    str(e.index),
                    _cell(e.id),
                    Text(str(e.verdict), style=_STYLE.get(str(e.verdict), "")),
                    _cell(e.claimed or "abstain"),
                    _cell((e.derived or "abstain")[:14]),
                    _cell(e.explain()),
                )
            console.print(table)
            if len(rep.entries) > len(rows):
                console.print(f"  ... {len(rep.entries) - len(rows)} more entries (use --json for all)")
        if rep.summary:
            table = Table(title="certified accuracy")
            for col in ("radius", "claimed", "re-derived", "population lower", "rho"):
                table.add_column(col)
            for s in rep.summary:
                pop = s.population_lower or "-"
                rho = (s.rho or "-") + (" (default)" if s.rho_source == "default" else "")
                table.add_row(*(_cell(v) for v in (s.radius, s.claimed or "-", s.rederived, pop, rho)))
            console.print(table)
        for g in rep.gates:
            mark = "[green]pass[/]" if g.passed else "[bold red]FAIL[/]"
            console.print(f"  gate {mark} {_t(g.name)}: {_t(g.message)}")
