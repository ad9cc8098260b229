"""CI policy: small rule objects composed with :class:`AllOf` / :class:`AnyOf`, parsed from a TOML file.

A policy is its trusted keys and an :class:`AllOf` of rules. Each rule is one small frozen object with one
job: :class:`MaxAlpha`, :class:`MinN` and :class:`AllowedIntervals` bound the certificate's statistics (their
failures are file-level findings, SA502–SA504); a :class:`Gate` compares a certified accuracy with a minimum,
and :class:`AnyOf` passes when one of its gates does (each is one gate result, SA505). Example::

    [keys]
    trusted = ["release.pub"]          # paths relative to the policy file
    allow_unsigned = false

    [statistics]
    max_alpha = "0.001"                # decimal strings (or TOML numbers written as decimals)
    min_n = 10000
    min_entries = 1                    # default 1: a certificate that certifies nothing fails (0 allows it)
    allowed_intervals = ["cp", "simuem", "binocp"]

    [[gates]]
    name = "pop-l2-0.5"
    metric = "population_lower"        # "population_lower" | "rederived" | "claimed"
    norm = "l2"                        # optional: only applies to certificates of this norm
    radius = "0.5"
    min = "0.40"
    rho = "0.001"                      # required for population_lower

    [[any_of]]                         # passes when one of its gates passes (e.g. one per norm)
    name = "l2 or l1 release"
    gates = [{metric = "rederived", norm = "l2", radius = "0.5", min = "0.6"},
             {metric = "rederived", norm = "l1", radius = "0.5", min = "0.6"}]

Guarantees: every number is parsed exactly (a TOML float is read through its shortest repr, so ``0.1`` means
1/10; give strings to be explicit); every comparison is exact; a gate that cannot be evaluated fails. Unknown
keys and malformed values raise :class:`audit.errors.UsageError` naming the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from audit.errors import UsageError
from audit.format import Predicate
from audit.format.io import read_bounded
from audit.format.limits import POLICY_BYTES
from audit.format.model import Statistics
from audit.format.numbers import NumberError, decimal_string, parse_decimal
from audit.theory import methods
from audit.verify.summary import claimed_accuracy, population_lower, rederived_accuracy
from audit.verify.verdicts import EntryResult, Finding, GateResult, Rule, Severity

METRICS = ("population_lower", "rederived", "claimed")
_TOP_KEYS = {"keys", "statistics", "gates", "any_of", "verify"}
_GATE_KEYS = {"name", "metric", "norm", "radius", "min", "rho"}


@dataclass(frozen=True)
class Context:
    """What the gates are evaluated on: the predicate (``None``: the file was not verified), the entries'
    results, the precision, and why no population bound holds (``population_void``), if so."""

    pred: Predicate | None
    results: Sequence[EntryResult]
    dps: int
    population_void: str | None = None


class _Limit:
    """A bound on the certificate's statistics: ``holds`` it or not; a failure is one file-level finding."""

    rule: Rule
    field: str

    def holds(self, st: Statistics) -> bool:
        raise NotImplementedError

    def message(self, st: Statistics) -> str:
        raise NotImplementedError

    def findings(self, pred: Predicate) -> list[Finding]:
        st = pred.statistics
        if self.holds(st):
            return []
        return [Finding(self.rule, Severity.ERROR, self.message(st), f"/predicate/statistics/{self.field}")]


@dataclass(frozen=True)
class MaxAlpha(_Limit):
    limit: Fraction
    rule, field = Rule.POLICY_ALPHA, "alpha"

    def holds(self, st: Statistics) -> bool:
        return st.alpha.value <= self.limit

    def message(self, st: Statistics) -> str:
        return f"alpha={st.alpha} exceeds the policy maximum {decimal_string(self.limit, 20, 'down')}"


@dataclass(frozen=True)
class MinN(_Limit):
    minimum: int
    rule, field = Rule.POLICY_MIN_N, "n"

    def holds(self, st: Statistics) -> bool:
        return st.n >= self.minimum

    def message(self, st: Statistics) -> str:
        return f"n={st.n} is below the policy minimum {self.minimum}"


@dataclass(frozen=True)
class MinEntries:
    """At least ``minimum`` entries. Applied with ``minimum = 1`` even without a policy: a certificate that
    certifies nothing must not pass a gate silently (``min_entries = 0`` in a policy allows it)."""

    minimum: int

    def findings(self, pred: Predicate) -> list[Finding]:
        if len(pred.entries) >= self.minimum:
            return []
        what = "no entries: it certifies nothing" if not pred.entries else f"{len(pred.entries)} entries"
        msg = f"the certificate has {what} (minimum {self.minimum}; a policy's min_entries = 0 allows it)"
        return [Finding(Rule.POLICY_MIN_ENTRIES, Severity.ERROR, msg, "/predicate/entries")]


DEFAULT_MIN_ENTRIES = MinEntries(1)


@dataclass(frozen=True)
class AllowedIntervals(_Limit):
    names: tuple[str, ...]  # as written in the policy
    rule, field = Rule.POLICY_INTERVAL, "interval"

    @property
    def canonical(self) -> frozenset[str]:
        """The allowed interval methods by their canonical names (aliases resolved)."""
        return frozenset(methods.interval(a).name for a in self.names)

    def holds(self, st: Statistics) -> bool:
        return methods.interval(st.interval).name in self.canonical

    def message(self, st: Statistics) -> str:
        return f"interval '{st.interval}' is not allowed by the policy (allowed: {', '.join(self.names)})"


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

    def evaluate(self, ctx: Context) -> GateResult:
        """The gate's result; it fails (with the reason) when it cannot be evaluated."""
        why = self._unevaluable(ctx)
        value = None if why else self._value(ctx)
        if why is None and value is None:
            why = "population lower bound unavailable: gate not evaluated"
        if why is not None or value is None or ctx.pred is None:
            return GateResult(self.name, False, why or "", None, self.minimum_text)
        ok = value >= self.minimum
        rho = f", rho={self.rho_text}" if self.rho_text else ""
        msg = (
            f"{self.metric} certified accuracy at {ctx.pred.guarantee.norm} radius {self.radius_text}{rho} = "
            f"{decimal_string(value, 6, 'down')} {'>=' if ok else '<'} {self.minimum_text}"
        )
        return GateResult(self.name, ok, msg, decimal_string(value, 20, "down"), self.minimum_text)

    def _unevaluable(self, ctx: Context) -> str | None:
        if ctx.pred is None:
            return "certificate not verified: gate not evaluated"
        norm = ctx.pred.guarantee.norm
        if self.norm is not None and self.norm != norm:
            return f"gate is for {self.norm} but the certificate certifies {norm}"
        if not ctx.results:
            return "certificate has no entries"
        if self.metric == "population_lower" and ctx.population_void is not None:
            return f"no population lower bound: {ctx.population_void}"
        return None

    def _value(self, ctx: Context) -> Fraction | None:
        assert ctx.pred is not None
        if self.metric == "claimed":
            return claimed_accuracy(ctx.pred.entries, self.radius)
        red = rederived_accuracy(ctx.results, self.radius)
        if self.metric == "rederived":
            return red
        assert self.rho is not None
        alpha = ctx.pred.statistics.alpha.value
        return population_lower(red, alpha, self.rho, max(len(ctx.results), 1), ctx.dps)


@dataclass(frozen=True)
class AnyOf:
    """Passes when at least one of its gates passes; one result, naming each gate's outcome."""

    name: str
    gates: tuple[Gate, ...]

    def evaluate(self, ctx: Context) -> GateResult:
        parts = [g.evaluate(ctx) for g in self.gates]
        passed = any(p.passed for p in parts)
        msg = "; ".join(f"{p.name}: {'pass' if p.passed else 'fail'} ({p.message})" for p in parts)
        best = next((p for p in parts if p.passed), parts[0])
        return GateResult(self.name, passed, f"any of: {msg}", best.value, best.threshold)


Limit = MaxAlpha | MinN | MinEntries | AllowedIntervals
GateRule = Gate | AnyOf


@dataclass(frozen=True)
class AllOf:
    """Every rule must hold: the limits' findings and each gate's result, in the policy's order."""

    rules: tuple[Limit | GateRule, ...] = ()

    def findings(self, pred: Predicate) -> list[Finding]:
        """The limits' findings; :data:`DEFAULT_MIN_ENTRIES` applies unless a :class:`MinEntries` is given."""
        limits = [r for r in self.rules if isinstance(r, Limit)]
        if not any(isinstance(r, MinEntries) for r in limits):
            limits.append(DEFAULT_MIN_ENTRIES)
        return [f for r in limits for f in r.findings(pred)]

    def gate_results(self, ctx: Context) -> list[GateResult]:
        return [r.evaluate(ctx) for r in self.rules if isinstance(r, Gate | AnyOf)]


@dataclass(frozen=True)
class Policy:
    """Trusted keys, the verifier's precision, and the rules (an :class:`AllOf`)."""

    trusted_keys: tuple[Path, ...] = ()
    allow_unsigned: bool = False
    rules: AllOf = field(default_factory=AllOf)
    precision: int | None = None
    source: str | None = None

    def _first(self, kind: type) -> Any:
        return next((r for r in self.rules.rules if isinstance(r, kind)), None)

    @property
    def max_alpha(self) -> Fraction | None:
        rule = self._first(MaxAlpha)
        return rule.limit if rule else None

    @property
    def min_n(self) -> int | None:
        rule = self._first(MinN)
        return rule.minimum if rule else None

    @property
    def allowed_intervals(self) -> tuple[str, ...] | None:
        rule = self._first(AllowedIntervals)
        return rule.names if rule else None

    @property
    def gates(self) -> tuple[GateRule, ...]:
        return tuple(r for r in self.rules.rules if isinstance(r, Gate | AnyOf))


def evaluate_gates(policy: Policy | None, ctx: Context) -> list[GateResult]:
    """Every gate of ``policy`` (none without a policy), compared exactly; never passes silently."""
    return [] if policy is None else policy.rules.gate_results(ctx)


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


def _table(data: dict[str, Any], key: str, allowed: set[str], where: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise UsageError(f"policy: [{key}] must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return table


def _keys(data: dict[str, Any], base: Path) -> tuple[tuple[Path, ...], bool]:
    keys = _table(data, "keys", {"trusted", "allow_unsigned"}, "policy [keys]")
    trusted_raw = keys.get("trusted", [])
    if not isinstance(trusted_raw, list) or not all(isinstance(k, str) for k in trusted_raw):
        raise UsageError("policy [keys].trusted: expected a list of key file paths")
    allow_unsigned = keys.get("allow_unsigned", False)
    if not isinstance(allow_unsigned, bool):
        raise UsageError("policy [keys].allow_unsigned: expected true or false")
    return tuple(base / k if not Path(k).is_absolute() else Path(k) for k in trusted_raw), allow_unsigned


def _limits(data: dict[str, Any]) -> list[Limit]:
    keys = {"max_alpha", "min_n", "min_entries", "allowed_intervals"}
    stats = _table(data, "statistics", keys, "policy [statistics]")
    out: list[Limit] = []
    if "max_alpha" in stats:
        max_alpha = _num(stats["max_alpha"], "policy [statistics].max_alpha")[0]
        if not 0 < max_alpha < 1:
            raise UsageError("policy [statistics].max_alpha: must be in (0, 1)")
        out.append(MaxAlpha(max_alpha))
    min_n = stats.get("min_n")
    if min_n is not None:
        if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
            raise UsageError("policy [statistics].min_n: expected a positive integer")
        out.append(MinN(min_n))
    min_entries = stats.get("min_entries")
    if min_entries is not None:
        if isinstance(min_entries, bool) or not isinstance(min_entries, int) or min_entries < 0:
            raise UsageError("policy [statistics].min_entries: expected an integer >= 0")
        out.append(MinEntries(min_entries))
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
        out.append(AllowedIntervals(tuple(allowed)))
    return out


def _gate(g: Any, where: str) -> Gate:
    if not isinstance(g, dict):
        raise UsageError(f"{where}: must be a table")
    unknown = sorted(set(g) - _GATE_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)}")
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
    return Gate(name, metric, radius, minimum, rho, norm, radius_text, minimum_text, rho_text)


def _gates(data: dict[str, Any]) -> list[GateRule]:
    gates_raw, any_raw = data.get("gates", []), data.get("any_of", [])
    if not isinstance(gates_raw, list) or not isinstance(any_raw, list):
        raise UsageError("policy: gates and any_of must be arrays of tables ([[gates]], [[any_of]])")
    out: list[GateRule] = [_gate(g, f"policy gates[{i}]") for i, g in enumerate(gates_raw)]
    for i, a in enumerate(any_raw):
        where = f"policy any_of[{i}]"
        if not isinstance(a, dict) or set(a) - {"name", "gates"} or not isinstance(a.get("gates"), list):
            raise UsageError(f"{where}: expected a table with 'name' and a list 'gates'")
        if not a["gates"]:
            raise UsageError(f"{where}: needs at least one gate")
        gates = tuple(_gate(g, f"{where}.gates[{j}]") for j, g in enumerate(a["gates"]))
        out.append(AnyOf(str(a.get("name") or " or ".join(g.name for g in gates)), gates))
    return out


def parse_policy(data: dict[str, Any], base_dir: Path | None = None, source: str | None = None) -> Policy:
    """Build a :class:`Policy` from parsed TOML; key paths are resolved against ``base_dir``."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise UsageError(f"policy: unknown key(s) {', '.join(unknown)}")
    trusted, allow_unsigned = _keys(data, base_dir or Path("."))
    verify = _table(data, "verify", {"precision"}, "policy [verify]")
    precision = verify.get("precision")
    bad_precision = isinstance(precision, bool) or not isinstance(precision, int) or precision < 20
    if precision is not None and bad_precision:
        raise UsageError("policy [verify].precision: expected an integer >= 20 (decimal digits)")
    rules = AllOf((*_limits(data), *_gates(data)))
    return Policy(trusted, allow_unsigned, rules, precision, source)


POLICY_MAX_BYTES = POLICY_BYTES


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy TOML file (InputError if unreadable or too large, UsageError if invalid)."""
    p = Path(path)
    raw = read_bounded(p, POLICY_MAX_BYTES)  # InputError (exit 2) if missing, not regular or too large
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"invalid TOML: {exc}", file=str(p)) from exc
    try:
        return parse_policy(data, p.parent, str(p))
    except UsageError as exc:
        raise exc.with_location(file=str(p)) from None
