"""What a method declares: the types every registry entry is made of.

* :class:`IntervalMethod` – a confidence interval for label probabilities or score means: the evidence it
  reads, the guarantee it gives, the bound needs it serves, how it splits α, how it computes the bounds.
* :class:`RadiusMethod` – a certified radius: its noise family and norm, hard or soft output, top-1 or
  top-k, the bounds it needs, its parameters, the radius formula, comparisons and a tightness witness.
* :class:`NoiseFamily` – a noise distribution: the norms it certifies, its parameter, the issuer's defaults.

Entries are plain frozen values; the registry (:mod:`audit.theory.methods`) collects them from the modules of
``audit/theory/methods/intervals`` and ``.../radii``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from audit.format.model import Scores
from audit.format.numbers import decimal_string
from audit.theory.precision import Backend, Real


def parse_doc(doc: str | None) -> tuple[str, str, str]:
    """(summary, guarantee, source) of a method's docstring: its first paragraph, and the paragraphs that
    start ``Guarantee:`` and ``Source:`` (the one place a method states them)."""
    text = inspect.cleandoc(doc or "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    fields = {"Guarantee": "", "Source": ""}
    for p in paragraphs[1:]:
        head, _, rest = p.partition(": ")
        if head in fields:
            fields[head] = rest
    if not paragraphs or not fields["Guarantee"] or not fields["Source"]:
        raise ValueError(f"a method's docstring needs a summary, 'Guarantee:' and 'Source:': {text[:60]!r}")
    return paragraphs[0], fields["Guarantee"], fields["Source"].rstrip(".")


class Need(StrEnum):
    """Which bounds a radius method needs besides the lower bound on the certified label's probability."""

    LOWER = "lower"  # nothing else: every other label is bounded by 1 − lower
    RUNNER_UP = "runner-up"  # an upper bound on the largest other label (probability or mean score)
    EACH = "each"  # an upper bound on each other label


class EvidenceKind(StrEnum):
    """What an interval method reads from an entry."""

    COUNTS = "counts"  # hard label counts
    SCORE_SUMS = "score sums"  # per-class sums of [0, 1] scores and of their squares
    SCORE_SAMPLES = "per-sample scores"  # the scores themselves, in sampling order (a signed sidecar)


@dataclass(frozen=True)
class Evidence:
    """Estimation evidence for one input: the certified ``label``, ``n``, and hard ``counts`` or soft
    ``scores`` (the document's :class:`~audit.format.model.Scores`). ``samples`` (per-sample scores only):
    ``samples[i]`` is the sequence of the ``n`` class-``i`` scores in sampling order. ``seed``: the entry's
    recorded seed. The label must have been fixed independently of these counts (docs/theory.md §1)."""

    label: int
    n: int
    counts: tuple[int, ...] | None = None
    scores: Scores | None = None
    samples: Sequence[Any] | None = None
    seed: int | None = None

    def has(self, kind: EvidenceKind) -> bool:
        """Whether this evidence carries what ``kind`` needs."""
        if kind is EvidenceKind.COUNTS:
            return self.counts is not None
        if kind is EvidenceKind.SCORE_SUMS:
            return self.scores is not None
        return self.samples is not None


@dataclass(frozen=True)
class BoundNames:
    """The names a radius method gives its bounds (in α splits, derivations and reports)."""

    lower: str = "pA_low"
    runner_up: str = "pB_up"


@dataclass(frozen=True)
class Bounds:
    """Bounds an interval method computed from one entry, each rounded to its conservative side:
    ``lower`` on the label, ``uppers[i]`` on each other label ``i`` (the same value for every ``i`` where only
    the largest is bounded), and ``each_paid``: every upper bound was paid for separately (SimuEM), so all are
    reported."""

    lower: Real
    uppers: dict[int, Real]
    each_paid: bool = False


Split = Callable[[Need, Fraction, int, int, BoundNames], list[tuple[str, Fraction]]]
Compute = Callable[[Need, Evidence, Fraction, Backend], Bounds]


@dataclass(frozen=True)
class IntervalMethod:
    """A confidence interval, declared once.

    ``split(need, alpha, c, label, names)`` is the α each bound spends (adding up to α); ``compute(need,
    evidence, alpha, backend)`` the bounds. ``finite_sample=False`` (asymptotic) means no certificate may use
    it (the verifier's SA203). ``no_better_than`` maps a need to a method whose bounds are never worse for it
    (comparisons skip this one there). ``runner_up_implied``: the runner-up bound is ``1 − lower``, so a
    two-bound radius method with this interval is its one-bound reduction (comparisons list the reduction).
    ``aliases`` are spellings read from old files only.
    """

    name: str
    evidence: EvidenceKind
    summary: str
    guarantee: str
    source: str
    serves: frozenset[Need] = frozenset()
    split: Split | None = None
    compute: Compute | None = None
    finite_sample: bool = True
    no_better_than: dict[Need, str] = field(default_factory=dict)
    runner_up_implied: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def certifies(self) -> bool:
        """Usable in a certificate: a finite-sample guarantee and a computation."""
        return self.finite_sample and self.compute is not None and self.split is not None

    @classmethod
    def declare(cls, doc: str | None, name: str, evidence: EvidenceKind, **declared: Any) -> IntervalMethod:
        """The entry whose summary, guarantee and source are those of ``doc`` (its module's docstring)."""
        summary, guarantee, source = parse_doc(doc)
        return cls(name, evidence, summary, guarantee, source, **declared)


@dataclass(frozen=True, kw_only=True)
class Params:
    """The certificate parameters a radius formula may read (exact values; ``None`` when not stated)."""

    k: int = 1
    sigma: Fraction | None = None
    lam: Fraction | None = None
    d: int | None = None
    keep: int | None = None
    lipschitz: Fraction | None = None


Radius = Callable[[Params, Real, list[Real], Backend], Any]


@dataclass(frozen=True)
class Witness:
    """A tightness counterexample: a base classifier within the stated bounds whose smoothed prediction
    changes at a perturbation of norm ``delta_norm`` (the claimed radius)."""

    construction: str
    delta_norm: Fraction
    p_label_at_x: Fraction
    p_label_at_x_plus_delta: Fraction  # an upper end, < 1/2
    summary: str


Construct = Callable[[Params, Fraction, Fraction, Backend], Witness | None]


TINY = Fraction(1, 2**256)


def upper_fraction(B: Backend, x: Real) -> Fraction:
    """An exact rational ≥ ``x`` (``x`` rounded up; values below 2⁻²⁵⁶ become 2⁻²⁵⁶, still an upper end), so a
    probability like Φ(−10⁹⁹⁹) never turns into a rational with a 10⁹⁹⁹-bit denominator."""
    up = B.up(x)
    return TINY if up < B.num(TINY) else B.to_fraction(up)


def below_half(
    construction: str, classifier: str, pl: Fraction, p: Fraction, claimed: Fraction, at: str, tail: str = ""
) -> Witness | None:
    """The witness when the constructed classifier's label probability ``p`` at x + δ (an upper end) is below
    1/2 while it is ``pl`` at x; None otherwise (the construction does not break the claim)."""
    if not p < Fraction(1, 2):
        return None
    summary = (
        f"{classifier} with P(label)={decimal_string(pl, 12, 'down')} at x has P(label)="
        f"{decimal_string(p, 12, 'up')} < 1/2 at {at} {decimal_string(claimed, 12, 'down')}{tail}"
    )
    return Witness(construction, claimed, pl, p, summary)


@dataclass(frozen=True)
class RadiusMethod:
    """A certified radius, declared once.

    ``radius(params, lower, uppers, backend)`` gets the label's lower bound and the upper bounds of the
    other labels (their largest for ``Need.RUNNER_UP``) and returns the radius rounded toward zero, or
    ``None`` (abstain). ``reduces_to``: a method certifying the same guarantee from the lower bound alone
    (compared as an alternative). ``comparisons``: published weaker radii shown beside this one.
    ``counterexample(params, pl_low, claimed, backend)``: a witness that a claim above the radius fails
    (tight methods only).
    """

    name: str
    family: str | None  # the noise family; None: any (the norms a family certifies: audit.format.validate)
    output: str  # "hard" | "soft"
    need: Need
    topk: bool
    params: tuple[str, ...]
    radius: Radius
    summary: str
    guarantee: str
    source: str
    default_interval: str
    names: BoundNames = BoundNames()
    reduces_to: str | None = None
    comparisons: dict[str, Radius] = field(default_factory=dict)
    counterexample: Construct | None = None
    aliases: tuple[str, ...] = ()

    def certifies_k(self, k: int) -> bool:
        return k == 1 or self.topk

    @classmethod
    def declare(
        cls, radius: Radius, name: str, family: str | None, need: Need, **declared: Any
    ) -> RadiusMethod:
        """The entry whose formula is ``radius`` and whose summary, guarantee and source are its docstring's.
        ``declared`` gives the rest (``params``, ``default_interval``, ...); output ``hard``, top-1 unless
        stated."""
        summary, guarantee, source = parse_doc(radius.__doc__)
        declared.setdefault("output", "hard")
        declared.setdefault("topk", False)
        return cls(name=name, family=family, need=need, radius=radius, summary=summary, guarantee=guarantee,
                   source=source, **declared)  # fmt: skip


@dataclass(frozen=True)
class NoiseFamily:
    """A noise distribution: its parameter, the norm it certifies directly, the issuer's default methods."""

    name: str
    parameter: str  # "sigma" | "lambda" | "keep"
    norm: str
    summary: str
    top1: str  # default radius method for k = 1 (label probabilities)
    topk: str | None = None  # for k > 1
    soft: str | None = None  # for soft scores
    upper_bounds: str | None = None  # the method ``audit radius`` uses when upper bounds are given

    @property
    def cli_name(self) -> str:
        return f"{self.name}-{self.norm}"
