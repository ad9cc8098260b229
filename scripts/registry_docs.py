"""Rewrite the generated registry block of docs/intervals.md from the method registry.

Run after adding or changing a method: ``python scripts/registry_docs.py`` (``--check`` exits 1 when the block
is stale, without writing). The block is what ``audit methods --markdown`` prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.format.io import atomic_write  # noqa: E402
from audit.reports.methods import registry_markdown  # noqa: E402

DOC = ROOT / "docs" / "intervals.md"
BEGIN, END = "<!-- registry:begin", "<!-- registry:end -->"


def refreshed(text: str) -> str:
    """``text`` with the registry block replaced by the registry's current tables."""
    start = text.index("\n", text.index(BEGIN)) + 1
    return text[:start] + registry_markdown() + text[text.index(END) :]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="exit 1 if the block is stale; write nothing")
    args = ap.parse_args()
    text = DOC.read_text(encoding="utf-8")
    new = refreshed(text)
    if args.check:
        return 0 if new == text else 1
    if new != text:
        atomic_write(DOC, new.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
