"""CI policy file (TOML): trusted keys, statistical minimums, allowed intervals, certified-accuracy gates.

Example::

    [keys]
    trusted = ["release.pub"]          # paths relative to the policy file
    allow_unsigned = false

    [statistics]
    max_alpha = "0.001"                # decimal strings (or TOML numbers written as decimals)
    min_n = 10000
    allowed_intervals = ["cp", "simuem", "binocp"]

    [[gates]]
    name = "pop-l2-0.5"
    metric = "population_lower"        # "population_lower" | "rederived" | "claimed"
    norm = "l2"                        # optional: only applies to certificates of this norm
    radius = "0.5"
    min = "0.40"
    rho = "0.001"                      # required for population_lower

Guarantees: every number is parsed exactly (a TOML float is re-read from its decimal text by the caller's
intent: give numbers as strings to be exact; floats are converted with ``repr`` so ``0.1`` means 1/10).
Unknown keys and malformed values raise :class:`audit.errors.UsageError` naming the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from audit.errors import UsageError
from audit.format.numbers import NumberError, parse_decimal
from audit.theory import methods

METRICS = ("population_lower", "rederived", "claimed")
_TOP_KEYS = {"keys", "statistics", "gates", "verify"}


@dataclass(frozen=True)
class Gate:
    """``metric`` of certified accuracy at ``radius`` must be ≥ ``minimum`` (exact comparison)."""

    name: str
    metric: str
    radius: Fraction
    minimum: Fraction
    rho: Fraction | None = None
    norm: str | None = None
    radius_text: str = ""
    minimum_text: str = ""
    rho_text: str | None = None


@dataclass(frozen=True)
class Policy:
    trusted_keys: tuple[Path, ...] = ()
    allow_unsigned: bool = False
    max_alpha: Fraction | None = None
    min_n: int | None = None
    allowed_intervals: tuple[str, ...] | None = None
    gates: tuple[Gate, ...] = field(default_factory=tuple)
    precision: int | None = None
    source: str | None = None

    @property
    def allowed_canonical(self) -> frozenset[str]:
        """The allowed interval methods by their canonical names (aliases resolved)."""
        return frozenset(methods.interval(a).name for a in self.allowed_intervals or ())


def _num(value: Any, where: str) -> tuple[Fraction, str]:
    if isinstance(value, bool):
        raise UsageError(f"{where}: expected a number, got a boolean")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise UsageError(f"{where}: expected a number (preferably a decimal string)")
    try:
        return parse_decimal(value), value
    except NumberError as exc:
        raise UsageError(f"{where}: {exc.message}") from None


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)}")


def parse_policy(data: dict[str, Any], base_dir: Path | None = None, source: str | None = None) -> Policy:
    """Build a :class:`Policy` from parsed TOML; key paths are resolved against ``base_dir``."""
    _check_keys(data, _TOP_KEYS, "policy")
    base = base_dir or Path(".")
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise UsageError("policy: [keys] must be a table")
    _check_keys(keys, {"trusted", "allow_unsigned"}, "policy [keys]")
    trusted_raw = keys.get("trusted", [])
    if not isinstance(trusted_raw, list) or not all(isinstance(k, str) for k in trusted_raw):
        raise UsageError("policy [keys].trusted: expected a list of key file paths")
    trusted = tuple((base / k) if not Path(k).is_absolute() else Path(k) for k in trusted_raw)
    allow_unsigned = keys.get("allow_unsigned", False)
    if not isinstance(allow_unsigned, bool):
        raise UsageError("policy [keys].allow_unsigned: expected true or false")

    stats = data.get("statistics", {})
    if not isinstance(stats, dict):
        raise UsageError("policy: [statistics] must be a table")
    _check_keys(stats, {"max_alpha", "min_n", "allowed_intervals"}, "policy [statistics]")
    max_alpha = _num(stats["max_alpha"], "policy [statistics].max_alpha")[0] if "max_alpha" in stats else None
    if max_alpha is not None and not (0 < max_alpha < 1):
        raise UsageError("policy [statistics].max_alpha: must be in (0, 1)")
    min_n = stats.get("min_n")
    if min_n is not None and (isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1):
        raise UsageError("policy [statistics].min_n: expected a positive integer")
    allowed = stats.get("allowed_intervals")
    if allowed is not None:
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            raise UsageError("policy [statistics].allowed_intervals: expected a list of names")
        valid = {n for m in methods.intervals() if m.finite_sample for n in (m.name, *m.aliases)}
        bad = [a for a in allowed if a not in valid]
        if bad:
            raise UsageError(
                f"policy [statistics].allowed_intervals: {', '.join(bad)} not a valid finite-sample interval "
                f"(valid: {', '.join(sorted(valid))})"
            )
        allowed = tuple(allowed)

    verify = data.get("verify", {})
    if not isinstance(verify, dict):
        raise UsageError("policy: [verify] must be a table")
    _check_keys(verify, {"precision"}, "policy [verify]")
    precision = verify.get("precision")
    bad_precision = isinstance(precision, bool) or not isinstance(precision, int) or precision < 20
    if precision is not None and bad_precision:
        raise UsageError("policy [verify].precision: expected an integer >= 20 (decimal digits)")

    gates_raw = data.get("gates", [])
    if not isinstance(gates_raw, list):
        raise UsageError("policy: gates must be an array of tables ([[gates]])")
    gates: list[Gate] = []
    for i, g in enumerate(gates_raw):
        where = f"policy gates[{i}]"
        if not isinstance(g, dict):
            raise UsageError(f"{where}: must be a table")
        _check_keys(g, {"name", "metric", "norm", "radius", "min", "rho"}, where)
        metric = g.get("metric", "population_lower")
        if metric not in METRICS:
            raise UsageError(f"{where}.metric: expected one of {', '.join(METRICS)}")
        for req in ("radius", "min"):
            if req not in g:
                raise UsageError(f"{where}: missing '{req}'")
        radius, radius_text = _num(g["radius"], f"{where}.radius")
        minimum, minimum_text = _num(g["min"], f"{where}.min")
        if radius < 0 or not (0 <= minimum <= 1):
            raise UsageError(f"{where}: radius must be >= 0 and min in [0, 1]")
        rho = rho_text = None
        if "rho" in g:
            rho, rho_text = _num(g["rho"], f"{where}.rho")
            if not (0 < rho < 1):
                raise UsageError(f"{where}.rho: must be in (0, 1)")
        if metric == "population_lower" and rho is None:
            raise UsageError(f"{where}: a population_lower gate must state rho")
        norm = g.get("norm")
        if norm is not None and norm not in ("l0", "l1", "l2"):
            raise UsageError(f"{where}.norm: expected l0, l1 or l2")
        name = g.get("name") or f"{metric} at {norm or ''} radius {radius_text} >= {minimum_text}"
        if not isinstance(name, str):
            raise UsageError(f"{where}.name: expected a string")
        gates.append(Gate(name, metric, radius, minimum, rho, norm, radius_text, minimum_text, rho_text))
    return Policy(trusted, allow_unsigned, max_alpha, min_n, allowed, tuple(gates), precision, source)


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy TOML file (UsageError if unreadable or invalid)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read policy file: {exc.strerror}", file=str(p)) from exc
    if len(raw) > 1_000_000:
        raise UsageError("policy file larger than 1 MB", file=str(p))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"invalid TOML: {exc}", file=str(p)) from exc
    try:
        return parse_policy(data, p.parent, str(p))
    except UsageError as exc:
        raise exc.with_location(file=str(p)) from None
