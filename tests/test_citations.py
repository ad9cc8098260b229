"""Every citation in code and docs resolves to a file in the repository (and a section that exists).

Checked in every tracked source, test, script and document: ``docs/<name>.md`` files, ``docs/theory.md §N``
sections, bare ``NAME.md`` documents, paths into the packages, scripts and tests, and no citation of the
reference material kept outside the repository (the source papers and the steering documents). The
published evidence under ``../shared/realdata`` is data the tests read in place, not a citation.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THEORY = (ROOT / "docs" / "theory.md").read_text(encoding="utf-8")
SECTIONS = set(re.findall(r"^## (\d+)\.", THEORY, re.M))

DOC = re.compile(r"\bdocs/([\w-]+\.md)")
SECTION = re.compile(r"docs/theory\.md ?§ ?(\d+)((?:[,–-] ?§? ?\d+)*)")
BARE_DOC = re.compile(r"(?<![\w/.-])([A-Z][A-Z_]{2,}\.md)\b")
PATH = re.compile(r"(?<![\w/.])((?:audit|certs|scripts|tests|cases)/[\w/.-]*[\w/])")
OUTSIDE = re.compile(r"shared/(docs|seeds)|\b[Ss]eeds?/\d{3}|\b[Ss]eed 00\d|\b(?:THEORY|DESIGN|STYLE)\.md")


def _files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    keep = (".py", ".md", ".toml", ".cfg", ".yml", ".yaml")
    names = [n for n in out.split() if n.endswith(keep) or n in ("Makefile", ".ci/run")]
    skip = (
        "tests/golden/out/",
        "cases/",
        "tests/test_citations.py",
    )  # this file shows bad citations on purpose
    return [ROOT / n for n in names if not n.startswith(skip)]


def _problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(ROOT)
    out = [f"{rel}: cites {m.group(0)!r}, kept outside the repository" for m in OUTSIDE.finditer(text)]
    out += [
        f"{rel}: docs/{name} does not exist"
        for name in DOC.findall(text)
        if not (ROOT / "docs" / name).exists()
    ]
    for m in SECTION.finditer(text):
        for number in [m.group(1), *re.findall(r"\d+", m.group(2))]:
            if number not in SECTIONS:
                out.append(f"{rel}: docs/theory.md has no section §{number}")
    for name in BARE_DOC.findall(text):
        if not ((ROOT / name).exists() or (ROOT / "docs" / name).exists()):
            out.append(f"{rel}: {name} is not in the repository")
    for m in PATH.finditer(text):
        ref = m.group(1).rstrip(".")
        if text[m.end() : m.end() + 1] in ("<", "{", "*"):  # a pattern (test_<name>.py), not a file
            continue
        if not (ROOT / ref).exists() and not any((ROOT / ref).parent.glob((ROOT / ref).name + "*")):
            out.append(f"{rel}: {ref} does not exist")  # a prefix counts: cases/keys/test-release.{key,pub}
    return out


def test_every_citation_resolves() -> None:
    problems = [p for f in _files() for p in _problems(f)]
    assert problems == []


def test_the_checker_catches_dangling_citations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(
        "See THEORY.md §3, docs/nowhere.md, docs/theory.md §42, audit/verify/nothing.py, seed 003.\n"
    )
    text = bad.read_text()
    assert OUTSIDE.search(text) and DOC.findall(text) == ["nowhere.md", "theory.md"]
    assert {m.group(1) for m in SECTION.finditer(text)} == {"42"} and "42" not in SECTIONS
    assert "audit/verify/nothing.py" in PATH.findall(text)


def test_theory_has_the_sections_the_code_cites() -> None:
    assert {str(i) for i in range(1, 10)} <= SECTIONS
