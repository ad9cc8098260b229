"""The method registry: every noise family, radius method and interval method, each declared once.

An interval method is a module of ``audit/theory/methods/intervals`` defining ``METHOD`` (or ``METHODS``);
a noise family and its radius methods are a module of ``audit/theory/methods/radii`` defining ``FAMILY`` and
``METHODS``. The registry finds them at import; nothing else lists them. The command-line choices, the
issuer's defaults, the verifier's comparisons (slack), the asymptotic-interval rule, ``audit methods`` and
the table in docs/intervals.md are all read from here, and a test checks each of those faces against it.

Guarantees: names are unique across aliases; lookups by an alias give the canonical entry; an unknown name
is a :class:`~audit.errors.UsageError` that lists the known names.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

from audit.errors import UsageError
from audit.theory.methods import intervals as _intervals
from audit.theory.methods import radii as _radii
from audit.theory.methods.base import (
    BoundNames,
    Bounds,
    Evidence,
    EvidenceKind,
    IntervalMethod,
    Need,
    NoiseFamily,
    Params,
    RadiusMethod,
    Witness,
)

__all__ = [
    "BoundNames",
    "Bounds",
    "Evidence",
    "EvidenceKind",
    "IntervalMethod",
    "Need",
    "NoiseFamily",
    "Params",
    "RadiusMethod",
    "Witness",
    "alternatives",
    "families",
    "family",
    "interval",
    "intervals",
    "radius_method",
    "radius_methods",
]


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        yield importlib.import_module(f"{package.__name__}.{info.name}")


def _declared(module: ModuleType, single: str, plural: str | None = None) -> list:
    """A module's ``single`` entry (if any) and its ``plural`` tuple of entries (if any)."""
    one = getattr(module, single, None)
    return ([one] if one is not None else []) + list(getattr(module, plural, ()) if plural else ())


def _index(entries: list, what: str) -> dict:
    out: dict = {}
    for e in entries:
        for name in (e.name, *getattr(e, "aliases", ())):
            if name in out:
                raise RuntimeError(f"{what} name {name!r} is declared twice")
            out[name] = e
    return out


_INTERVALS: list[IntervalMethod] = sorted(
    (m for mod in _modules(_intervals) for m in _declared(mod, "METHOD", "METHODS")), key=lambda m: m.name
)
_RADII: list[RadiusMethod] = sorted(
    (m for mod in _modules(_radii) for m in getattr(mod, "METHODS", ())), key=lambda m: m.name
)
_FAMILIES: list[NoiseFamily] = [f for mod in _modules(_radii) for f in _declared(mod, "FAMILY")]
_BY_INTERVAL = _index(_INTERVALS, "interval method")
_BY_RADIUS = _index(_RADII, "radius method")
_BY_FAMILY = _index(_FAMILIES, "noise family")


def intervals(
    *, certifying: bool | None = None, evidence: EvidenceKind | None = None
) -> list[IntervalMethod]:
    """Interval methods in name order; ``certifying`` filters on :attr:`IntervalMethod.certifies`."""
    return [
        m
        for m in _INTERVALS
        if (certifying is None or m.certifies == certifying) and (evidence is None or m.evidence is evidence)
    ]


def radius_methods(*, family: str | None = None, output: str | None = None) -> list[RadiusMethod]:
    """Radius methods in name order, optionally those applying to a noise family / output kind."""
    return [
        m
        for m in _RADII
        if (family is None or m.family in (None, family)) and (output is None or m.output == output)
    ]


def families() -> list[NoiseFamily]:
    return list(_FAMILIES)


def _lookup(table: dict, name: str, what: str):
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted({e.name for e in table.values()}))
        raise UsageError(f"unknown {what} {name!r} (known: {known})") from None


def interval(name: str) -> IntervalMethod:
    """The interval method called ``name`` (or one of its aliases)."""
    return _lookup(_BY_INTERVAL, name, "interval method")


def radius_method(name: str) -> RadiusMethod:
    """The radius method called ``name`` (or one of its aliases)."""
    return _lookup(_BY_RADIUS, name, "radius method")


def family(name: str) -> NoiseFamily:
    """The noise family called ``name``."""
    return _lookup(_BY_FAMILY, name, "noise family")


def usable(rm: RadiusMethod, iv: IntervalMethod, k: int, evidence: Evidence | None = None) -> bool:
    """Whether ``iv`` can bound what ``rm`` needs at top-``k`` (with the given evidence, when given)."""
    kind_ok = (iv.evidence is EvidenceKind.COUNTS) == (rm.output == "hard")
    has = evidence is None or evidence.has(iv.evidence)
    return iv.certifies and kind_ok and rm.need in iv.serves and rm.certifies_k(k) and has


def alternatives(
    rm: RadiusMethod, iv: IntervalMethod, k: int, evidence: Evidence
) -> list[tuple[RadiusMethod, IntervalMethod]]:
    """Other valid (radius method, interval) pairs for the same guarantee and evidence, in the order they are
    compared: the method this one reduces to first, then this one; within each, intervals by name, skipping
    an interval no better than another for that need, and one whose implied runner-up bound turns the method
    into its reduction (already listed)."""
    methods = [radius_method(rm.reduces_to), rm] if rm.reduces_to else [rm]
    out = []
    for m in methods:
        for alt in _INTERVALS:
            if (m, alt) == (rm, iv) or not usable(m, alt, k, evidence):
                continue
            better = alt.no_better_than.get(m.need)
            if better is not None and usable(m, interval(better), k, evidence):
                continue
            if m.reduces_to and alt.runner_up_implied:
                continue
            out.append((m, alt))
    return out
