"""The single entry point used by both the issuer (``FLOAT``) and the verifier (``mp_backend(50)``).

``derive(spec, evidence, backend) -> Derivation`` computes the confidence bounds named by ``spec.interval`` at
the α split below, then the radius named by ``spec.radius_method``. The radius is rounded toward zero
(``None`` = abstain); every bound is rounded to its conservative side.

How α is split (``alpha_split(spec)`` returns exactly this list of (bound name, α)); c = number of classes:

=====================  ==========  ====================================================================
radius_method          interval    bounds
=====================  ==========  ====================================================================
cohen                  cp, binocp  ``pA_low`` CP at α (pB_up = 1 − pA_low implicitly)
cohen                  simuem      ``pA_low`` and every ``p_up[i]`` at α/c (only pA_low is used)
cohen-two-bound        cp          ``pA_low`` CP at α/2; ``pB_up`` = CP upper of the largest other count
                                   at α/2 (≥ the bound of the true runner-up, since CP is monotone)
cohen-two-bound        simuem      all c bounds at α/c; pB_up = max of the others' upper bounds
cohen-two-bound        binocp      ``pA_low`` at α; pB_up = 1 − pA_low (reduces to ``cohen``)
topk, ablation-topk    simuem      ``pl_low`` and every ``p_up[i]`` at α/c
topk, ablation-topk    binocp      ``pl_low`` CP at α; every other label bounded by 1 − pl_low
laplace-multiclass     cp/simuem/  as cohen-two-bound
                       binocp
laplace-binary         cp, binocp  ``pA_low`` at α;  simuem: all c bounds at α/c
soft-gaussian          hoeffding,  ``F_low`` (label mean, lower) at α/2; ``F_up`` = max over the other
soft-lipschitz         bernstein,  classes of their upper bounds at α/2 each (valid: the true runner-up
                       betting     is one fixed class, whose own bound holds with prob ≥ 1 − α/2)
=====================  ==========  ====================================================================

``topk``/``ablation-topk`` with ``cp`` are refused (ambiguous: use simuem or binocp). ``betting`` needs the
per-sample scores in sampling order (``Evidence.samples``: one sequence of ``n`` scores in [0, 1] per class)
and uses ``betting_lower`` / ``betting_upper`` of :mod:`audit.theory.betting` on them; the sums are not used.
The label in :class:`Evidence` must have been fixed independently of the counts (THEORY §1); this layer
cannot check that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from audit.errors import UsageError
from audit.format.model import Predicate, Scores
from audit.theory.ablation import ablation_radius
from audit.theory.betting import betting_lower, betting_upper
from audit.theory.binomial import LabelBounds, binocp_bounds, check_alpha, cp_lower, cp_upper, simuem_bounds
from audit.theory.gaussian import cohen_radius, topk_radius
from audit.theory.laplace import laplace_binary_radius, laplace_radius
from audit.theory.means import mean_bound_from_sums
from audit.theory.precision import Backend, Exact, Real, to_fraction
from audit.theory.soft import soft_gaussian_radius, soft_lipschitz_radius

RADIUS_METHODS = (
    "cohen",
    "cohen-two-bound",
    "topk",
    "ablation-topk",
    "laplace-multiclass",
    "laplace-binary",
    "soft-gaussian",
    "soft-lipschitz",
)
HARD_INTERVALS = ("cp", "binocp", "simuem")
SOFT_INTERVALS = ("hoeffding", "bernstein", "betting")
FAMILY_OF = {
    "cohen": "gaussian",
    "cohen-two-bound": "gaussian",
    "topk": "gaussian",
    "ablation-topk": "ablation",
    "laplace-multiclass": "laplace",
    "laplace-binary": "laplace",
    "soft-gaussian": "gaussian",
}


def _opt_fraction(x: Exact | None, name: str) -> Fraction | None:
    if x is None:
        return None
    try:
        return to_fraction(x)
    except UsageError as exc:
        raise UsageError(exc.message, field=name) from exc


@dataclass(frozen=True)
class CertificationSpec:
    """What is certified and how: noise family and parameters, radius method, interval, α, k, classes.

    Real parameters are normalised to exact :class:`Fraction` (decimal strings are accepted).
    """

    family: str
    radius_method: str
    interval: str
    alpha: Fraction
    k: int = 1
    sigma: Fraction | None = None
    lam: Fraction | None = None
    d: int | None = None
    keep: int | None = None
    lipschitz: Fraction | None = None
    num_classes: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "alpha", check_alpha(self.alpha))
        for name in ("sigma", "lam", "lipschitz"):
            object.__setattr__(self, name, _opt_fraction(getattr(self, name), name))
        if self.radius_method not in RADIUS_METHODS:
            raise UsageError(f"unknown radius method {self.radius_method!r}", field="radius_method")
        if self.interval not in HARD_INTERVALS + SOFT_INTERVALS:
            raise UsageError(f"interval {self.interval!r} is not valid for a certificate", field="interval")
        fam = FAMILY_OF.get(self.radius_method)
        if fam is not None and self.family != fam:
            raise UsageError(
                f"radius method {self.radius_method!r} needs family {fam!r}, not {self.family!r}",
                field="family",
            )
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise UsageError(f"k must be a positive integer, got {self.k!r}", field="k")
        if self.k != 1 and self.radius_method not in ("topk", "ablation-topk"):
            raise UsageError(f"radius method {self.radius_method!r} certifies top-1 only (k=1)", field="k")
        soft = self.radius_method.startswith("soft-")
        if soft != (self.interval in SOFT_INTERVALS):
            raise UsageError(
                f"interval {self.interval!r} does not fit radius method {self.radius_method!r}",
                field="interval",
            )
        if self.radius_method in ("topk", "ablation-topk") and self.interval == "cp":
            raise UsageError("top-k radii need interval simuem or binocp", field="interval")

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


@dataclass(frozen=True)
class Evidence:
    """Estimation evidence for one input: the certified ``label``, hard ``counts`` or soft ``scores``, ``n``.

    ``scores`` holds per-class sums of scores in [0, 1] and of their squares (the document's
    :class:`~audit.format.model.Scores`). ``samples`` (betting only): ``samples[i]`` is the sequence of
    the ``n`` class-``i`` scores in sampling order (exact numbers or a float64 array).
    """

    label: int
    n: int
    counts: tuple[int, ...] | None = None
    scores: Scores | None = None
    samples: Sequence[Any] | None = None


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


def _num_classes(spec: CertificationSpec, evidence: Evidence | None) -> int:
    if evidence is not None and evidence.counts is not None:
        return len(evidence.counts)
    if spec.num_classes is None:
        raise UsageError("num_classes is required", field="num_classes")
    return spec.num_classes


def alpha_split(
    spec: CertificationSpec, num_classes: int | None = None, label: int | None = None
) -> list[tuple[str, Fraction]]:
    """The (bound name, α) pairs ``derive`` spends for ``spec``; their α add up to ``spec.alpha``.

    Names match the keys of :attr:`Derivation.bounds` where the bound is kept (``p_up[i]`` uses the class
    index i; without ``label`` the others are numbered as if ``label`` were 0).
    """
    a = spec.alpha
    rm, iv = spec.radius_method, spec.interval
    low = "pl_low" if rm in ("topk", "ablation-topk") else "pA_low"
    if rm.startswith("soft-"):
        return [("F_low", a / 2), ("F_up", a / 2)]
    if iv == "simuem":
        c = num_classes if num_classes is not None else _num_classes(spec, None)
        lab = 0 if label is None else label
        return [(low, a / c)] + [(f"p_up[{i}]", a / c) for i in range(c) if i != lab]
    if iv == "binocp" or rm in ("cohen", "laplace-binary"):
        return [(low, a)]
    return [("pA_low", a / 2), ("pB_up", a / 2)]


def _hard_bounds(spec: CertificationSpec, ev: Evidence, B: Backend) -> LabelBounds:
    counts = ev.counts
    if counts is None:
        raise UsageError("hard-label radius methods need counts", field="counts")
    counts = tuple(counts)
    if sum(counts) != ev.n:
        raise UsageError(f"counts sum to {sum(counts)}, not n={ev.n}", field="counts")
    if spec.num_classes is not None and len(counts) != spec.num_classes:
        raise UsageError(f"{len(counts)} counts for {spec.num_classes} classes", field="counts")
    if not 0 <= ev.label < len(counts):
        raise UsageError(f"label {ev.label} outside [0, {len(counts)})", field="label")
    a = spec.alpha
    rm, iv = spec.radius_method, spec.interval
    if iv == "simuem":
        lb = simuem_bounds(counts, ev.label, a, B)
    elif iv == "binocp" or rm in ("cohen", "laplace-binary"):
        lb = binocp_bounds(counts, ev.label, a, B)
    else:  # cp with two bounds: pA at α/2, the largest other count's upper bound at α/2
        lower = cp_lower(counts[ev.label], ev.n, a / 2, B)
        other = max(c for i, c in enumerate(counts) if i != ev.label)
        up = cp_upper(other, ev.n, a / 2, B)
        lb = LabelBounds(ev.label, lower, {i: up for i in range(len(counts)) if i != ev.label}, "cp", a)
    return lb


def _soft_bounds(spec: CertificationSpec, ev: Evidence, B: Backend) -> tuple[Real, Real, list[Real]]:
    if spec.interval == "betting":
        return _betting_bounds(spec, ev, B)
    sc = ev.scores
    if sc is None:
        raise UsageError("soft radius methods need scores with 'sum' and 'sumsq'", field="scores")
    sums: Sequence[Any] = sc.sum
    sqs: Sequence[Any] = sc.sumsq
    if len(sums) != len(sqs) or len(sums) < 2:
        raise UsageError("scores 'sum' and 'sumsq' must have one entry per class (>= 2)", field="scores")
    if not 0 <= ev.label < len(sums):
        raise UsageError(f"label {ev.label} outside [0, {len(sums)})", field="label")
    half = spec.alpha / 2
    method = spec.interval
    low = mean_bound_from_sums(method, "lower", ev.n, sums[ev.label], sqs[ev.label], half, B).value
    ups = [
        mean_bound_from_sums(method, "upper", ev.n, sums[i], sqs[i], half, B).value
        for i in range(len(sums))
        if i != ev.label
    ]
    return low, max(ups), ups


def _betting_bounds(spec: CertificationSpec, ev: Evidence, B: Backend) -> tuple[Real, Real, list[Real]]:
    """Betting bounds (Waudby-Smith & Ramdas) on the per-class means from the per-sample scores."""
    xs = ev.samples
    if xs is None:
        raise UsageError("betting bounds need the per-sample scores (scores.sidecar)", field="scores.sidecar")
    c = len(xs)
    if c < 2 or (spec.num_classes is not None and c != spec.num_classes):
        raise UsageError(f"per-sample scores for {c} classes, expected {spec.num_classes}", field="samples")
    for i, row in enumerate(xs):
        if len(row) != ev.n:
            msg = f"class {i} has {len(row)} per-sample scores, expected n={ev.n}"
            raise UsageError(msg, field="samples")
    if not 0 <= ev.label < c:
        raise UsageError(f"label {ev.label} outside [0, {c})", field="label")
    half = spec.alpha / 2
    low = betting_lower(xs[ev.label], half, B).value
    ups = [betting_upper(xs[i], half, B).value for i in range(c) if i != ev.label]
    return low, max(ups), ups


def _need(value: Any, name: str) -> Any:
    if value is None:
        raise UsageError(f"{name} is required for this radius method", field=name)
    return value


def derive(spec: CertificationSpec, evidence: Evidence, backend: Backend) -> Derivation:
    """Bounds at the α split of :func:`alpha_split`, then the radius (rounded toward zero; None = abstain)."""
    B = backend
    rm = spec.radius_method
    bounds: dict[str, Real] = {}
    radius: Real | int | None
    if rm.startswith("soft-"):
        low, up, _ = _soft_bounds(spec, evidence, B)
        bounds = {"F_low": low, "F_up": up}
        split = alpha_split(spec)
        if rm == "soft-gaussian":
            radius = soft_gaussian_radius(low, up, _need(spec.sigma, "sigma"), B)
        else:
            radius = soft_lipschitz_radius(low, [up], _need(spec.lipschitz, "lipschitz"), B)
    else:
        lb = _hard_bounds(spec, evidence, B)
        c = len(evidence.counts or ())
        split = alpha_split(spec, c, evidence.label)
        pl = lb.lower.value
        others = {i: b.value for i, b in lb.uppers.items()}
        pmax = max(others.values())
        if rm in ("topk", "ablation-topk"):
            bounds["pl_low"] = pl
            bounds.update({f"p_up[{i}]": v for i, v in others.items()})
        else:
            bounds["pA_low"] = pl
            if spec.interval == "simuem" or rm in ("cohen-two-bound", "laplace-multiclass"):
                bounds["pB_up"] = pmax
            if spec.interval == "simuem":  # every bound the α split paid for
                bounds.update({f"p_up[{i}]": v for i, v in others.items()})
        if rm == "cohen":
            radius = cohen_radius(pl, _need(spec.sigma, "sigma"), None, B)
        elif rm == "cohen-two-bound":
            radius = cohen_radius(pl, _need(spec.sigma, "sigma"), pmax, B)
        elif rm == "topk":
            radius = topk_radius(pl, list(others.values()), spec.k, _need(spec.sigma, "sigma"), B)
        elif rm == "ablation-topk":
            radius = ablation_radius(
                pl, list(others.values()), spec.k, _need(spec.d, "d"), _need(spec.keep, "keep"), B
            )
        elif rm == "laplace-multiclass":
            radius = laplace_radius(pl, pmax, _need(spec.lam, "lambda"), B)
        else:  # laplace-binary
            radius = laplace_binary_radius(pl, _need(spec.lam, "lambda"), B)
    return Derivation(
        radius=radius,
        bounds=bounds,
        method=rm,
        interval=spec.interval,
        alpha=spec.alpha,
        alpha_split=tuple(split),
        precision=B.label,
        reason="" if radius is not None else "abstain: radius <= 0",
    )


def reuse_failure_bound(alpha: Exact, num_classes: int) -> Fraction:
    """Failure bound when the argmax of the estimation counts is then bounded at α: ``min(1, c·α)`` (§1)."""
    return min(Fraction(1), check_alpha(alpha) * num_classes)
