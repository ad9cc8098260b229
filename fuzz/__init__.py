"""Coverage-guided fuzz targets (atheris) for every parser that reads a file from outside; see fuzz/run.py."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "fuzz"
"""Corpus (``corpus/TARGET``) and findings (``crashes/``); ignored by git."""
