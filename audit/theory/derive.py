"""The single entry point used by both the issuer (``FLOAT``) and the verifier (``mp_backend(50)``).

``derive(spec, evidence, backend) -> Derivation`` asks the registry (:mod:`audit.theory.methods`) for the
certificate's interval method and radius method, computes the bounds the radius method needs at the interval
method's α split, then the radius. The radius is rounded toward zero (``None`` = abstain); every bound is
rounded to its conservative side. :func:`alpha_split` is that split, computable before any sampling (the
issuer writes it into ``statistics.alpha_split``).

Which bounds are reported (:attr:`Derivation.bounds`): the label's lower bound; for a radius method that
needs an upper bound on each other label, every ``p_up[i]``; otherwise the runner-up's upper bound when the
method needs it or the interval paid for it, and every ``p_up[i]`` when each was paid for separately.
The label must have been fixed independently of the counts (docs/theory.md §1); this layer cannot check that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from audit.errors import FormatError, UsageError
from audit.format.model import Predicate
from audit.format.numbers import Exact
from audit.theory import methods
from audit.theory.methods.base import Bounds, Evidence, IntervalMethod, Need, Params, RadiusMethod
from audit.theory.precision import Backend, Real, check_alpha, to_fraction

__all__ = [
    "CertificationSpec",
    "Derivation",
    "Evidence",
    "alpha_split",
    "derive",
    "methods_of",
    "reuse_failure_bound",
]

_PARAMETER_FIELDS = {
    "sigma": "smoothing.sigma",
    "lambda": "smoothing.lambda",
    "keep": "smoothing.keep",
    "d": "smoothing.d",
    "lipschitz": "guarantee.lipschitz",
}


def _opt_fraction(x: Exact | None, name: str) -> Fraction | None:
    if x is None:
        return None
    try:
        return to_fraction(x)
    except UsageError as exc:
        raise UsageError(exc.message, field=name) from exc


@dataclass(frozen=True, kw_only=True)
class CertificationSpec(Params):
    """What is certified and how: the radius formula's parameters (:class:`Params`: k, σ, λ, d, e, L), the
    noise family, radius method, interval, α and the number of classes.

    Real parameters are normalised to exact :class:`Fraction`; method names to the registry's canonical
    names. Construction refuses (UsageError naming the field) a combination the registry does not allow.
    """

    family: str
    radius_method: str
    interval: str
    alpha: Fraction
    num_classes: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "alpha", check_alpha(self.alpha))
        for name in ("sigma", "lam", "lipschitz"):
            object.__setattr__(self, name, _opt_fraction(getattr(self, name), name))
        rm = _named(methods.radius_method, self.radius_method, "radius_method")
        iv = _named(methods.interval, self.interval, "interval")
        object.__setattr__(self, "radius_method", rm.name)
        object.__setattr__(self, "interval", iv.name)
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise UsageError(f"k must be a positive integer, got {self.k!r}", field="k")
        _check_pair(self, rm, iv)

    @property
    def methods(self) -> tuple[RadiusMethod, IntervalMethod]:
        return methods.radius_method(self.radius_method), methods.interval(self.interval)

    @classmethod
    def from_predicate(cls, pred: Predicate, **overrides: Any) -> CertificationSpec:
        """The spec a certificate predicate (docs/format.md) states; ``overrides`` replace fields (not None).

        This is the one mapping from the format's field names to the theory's, used by issuer and verifier.
        """
        sm, gu, st = pred.smoothing, pred.guarantee, pred.statistics
        fields: dict[str, Any] = {
            "family": sm.family,
            "radius_method": gu.radius_method,
            "interval": st.interval,
            "alpha": st.alpha,
            "k": gu.k,
            "sigma": sm.sigma,
            "lam": sm.lam,
            "d": sm.d,
            "keep": sm.keep,
            "lipschitz": gu.lipschitz,
            "num_classes": st.num_classes,
        }
        fields.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**fields)


def methods_of(pred: Predicate) -> tuple[RadiusMethod, IntervalMethod]:
    """The registry's entries for the methods a predicate names; :class:`FormatError` naming the field when a
    name is unknown or a parameter the radius method needs is null (the document cannot be read)."""
    try:
        rm = _named(methods.radius_method, pred.guarantee.radius_method, "predicate.guarantee.radius_method")
        iv = _named(methods.interval, pred.statistics.interval, "predicate.statistics.interval")
    except UsageError as exc:
        raise FormatError(exc.message, field=exc.field) from None
    values = {"sigma": pred.smoothing.sigma, "lambda": pred.smoothing.lam, "keep": pred.smoothing.keep,
              "d": pred.smoothing.d, "lipschitz": pred.guarantee.lipschitz}  # fmt: skip
    for name in rm.params:
        if values[name] is None:
            field_name = _PARAMETER_FIELDS[name]
            raise FormatError(
                f"radius method {rm.name!r} needs {field_name}", field=f"predicate.{field_name}"
            )
    return rm, iv


def _named(lookup: Any, name: str, field_name: str) -> Any:
    try:
        return lookup(name)
    except UsageError as exc:
        raise UsageError(exc.message, field=field_name) from None


def _check_pair(spec: CertificationSpec, rm: RadiusMethod, iv: IntervalMethod) -> None:
    """Refuse a family, k or interval the radius method cannot use."""
    if rm.family is not None and spec.family != rm.family:
        msg = f"radius method {rm.name!r} needs family {rm.family!r}, not {spec.family!r}"
        raise UsageError(msg, field="family")
    if not rm.certifies_k(spec.k):
        raise UsageError(f"radius method {rm.name!r} certifies top-1 only (k=1)", field="k")
    if not iv.certifies:
        raise UsageError(f"interval {iv.name!r} is not valid for a certificate", field="interval")
    if not methods.usable(rm, iv, spec.k):
        if rm.need is Need.EACH and Need.RUNNER_UP in iv.serves:
            raise UsageError("top-k radii need interval simuem or binocp", field="interval")
        raise UsageError(f"interval {iv.name!r} does not fit radius method {rm.name!r}", field="interval")


@dataclass(frozen=True)
class Derivation:
    """Result of :func:`derive`: ``radius`` (rounded toward zero; int for L0; ``None`` = abstain)."""

    radius: Real | int | None
    bounds: dict[str, Real]
    method: str
    interval: str
    alpha: Fraction
    alpha_split: tuple[tuple[str, Fraction], ...]
    precision: str
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def abstain(self) -> bool:
        return self.radius is None


def alpha_split(spec: CertificationSpec, num_classes: int | None = None, label: int | None = None) -> list[
    tuple[str, Fraction]
]:  # fmt: skip
    """The (bound name, α) pairs ``derive`` spends for ``spec``; their α add up to ``spec.alpha``.

    Names match the keys of :attr:`Derivation.bounds` where the bound is kept (``p_up[i]`` uses the class
    index i; without ``label`` the others are numbered as if ``label`` were 0).
    """
    rm, iv = spec.methods
    c = num_classes if num_classes is not None else spec.num_classes
    if c is None:
        raise UsageError("num_classes is required", field="num_classes")
    assert iv.split is not None
    return iv.split(rm.need, spec.alpha, c, 0 if label is None else label, rm.names)


def _reported(rm: RadiusMethod, b: Bounds) -> dict[str, Real]:
    """The bounds a derivation reports (see the module docstring)."""
    out = {rm.names.lower: b.lower}
    each = {f"p_up[{i}]": v for i, v in sorted(b.uppers.items())}
    if rm.need is Need.EACH:
        return {**out, **each}
    if rm.need is Need.RUNNER_UP or b.each_paid:
        out[rm.names.runner_up] = max(b.uppers.values())
    return {**out, **each} if b.each_paid else out


def derive(spec: CertificationSpec, evidence: Evidence, backend: Backend) -> Derivation:
    """Bounds at the α split of :func:`alpha_split`, then the radius (rounded toward zero; None = abstain)."""
    rm, iv = spec.methods
    c = _classes(spec, evidence)
    assert iv.compute is not None
    bounds = iv.compute(rm.need, evidence, spec.alpha, backend)
    others = [bounds.uppers[i] for i in sorted(bounds.uppers)]
    if rm.need is Need.RUNNER_UP:
        others = [max(others)]
    radius = rm.radius(spec, bounds.lower, others, backend)
    return Derivation(
        radius=radius,
        bounds=_reported(rm, bounds),
        method=rm.name,
        interval=iv.name,
        alpha=spec.alpha,
        alpha_split=tuple(alpha_split(spec, c, evidence.label)),
        precision=backend.label,
        reason="" if radius is not None else "abstain: radius <= 0",
    )


def _classes(spec: CertificationSpec, ev: Evidence) -> int:
    """The number of classes the evidence has, which must be the stated one when stated."""
    if ev.counts is not None:
        c = len(ev.counts)
        if spec.num_classes is not None and c != spec.num_classes:
            raise UsageError(f"{c} counts for {spec.num_classes} classes", field="counts")
        return c
    if ev.samples is not None:
        c = len(ev.samples)
        if c < 2 or (spec.num_classes is not None and c != spec.num_classes):
            raise UsageError(
                f"per-sample scores for {c} classes, expected {spec.num_classes}", field="samples"
            )
        return c
    if ev.scores is not None:
        return len(ev.scores.sum)
    if spec.num_classes is None:
        raise UsageError("num_classes is required", field="num_classes")
    return spec.num_classes


def reuse_failure_bound(alpha: Exact, num_classes: int) -> Fraction:
    """Failure bound when the argmax of the estimation counts is then bounded at α: ``min(1, c·α)`` (§1)."""
    return min(Fraction(1), check_alpha(alpha) * num_classes)
