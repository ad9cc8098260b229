"""``audit methods [--json | --markdown]``: every noise family, radius method and interval method the
registry declares, with its evidence, guarantee and source. Exit 0."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from audit.reports.methods import registry_json, registry_markdown


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of the subcommand (its name and one-line help: ``audit.cli.COMMANDS``)."""
    p.description = "List every noise family, radius method and interval method the verifier knows."
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable registry on stdout")
    out.add_argument("--markdown", action="store_true", help="the tables of docs/intervals.md on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json:
        sys.stdout.write(json.dumps(registry_json(), indent=2, allow_nan=False) + "\n")
    elif args.markdown:
        sys.stdout.write(registry_markdown())
    else:
        _table(registry_json())
    return 0


def _table(doc: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(stderr=True)
    t = Table(title="interval methods")
    for col in ("name", "evidence", "used in", "serves", "guarantee"):
        t.add_column(col, overflow="fold")
    for m in doc["intervals"]:
        t.add_row(
            *(escape(x) for x in (m["name"], m["evidence"], m["use"], ", ".join(m["serves"]), m["guarantee"]))
        )
    console.print(t)
    r = Table(title="radius methods")
    for col in ("name", "family", "output", "needs", "top-k", "default interval", "radius"):
        r.add_column(col, overflow="fold")
    for m in doc["radius_methods"]:
        cells = (m["name"], m["family"] or "any", m["output"], m["needs"], "yes" if m["topk"] else "no",
                 m["default_interval"], m["summary"])  # fmt: skip
        r.add_row(*(escape(x) for x in cells))
    console.print(r)
