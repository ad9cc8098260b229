"""The certificate predicate that every importer of a published CIFAR-10 Gaussian-L2 result fills in.

Published logs record no sampler, device, date or input digests, so those fields are null and ``created`` is
fixed (deterministic output). One place for the skeleton keeps the importers to what differs: the radius
method, the statistics and the entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import UNSET

from audit import __version__
from audit.format.model import (
    AlphaPart,
    Entry,
    Guarantee,
    Predicate,
    PredicateImport,
    Sampler,
    Smoothing,
    Statistics,
    Summary,
    Tool,
)
from audit.format.numbers import NonNegDec

IMPORT_CREATED = "1970-01-01T00:00:00Z"  # deterministic output; published logs carry no date
CIFAR10_DIMENSION = 3 * 32 * 32


def single_bound_statistics(
    *, alpha: str, interval: str, bound: str, n: int, num_classes: int, n0: int | None = None
) -> Statistics:
    """``statistics`` with the whole α spent on one bound; ``n0`` given ⇔ separate-draw selection."""
    return Statistics(
        alpha=NonNegDec(alpha),
        interval=interval,
        alpha_split=[AlphaPart(bound=bound, alpha=NonNegDec(alpha))],
        selection="separate-draw" if n0 is not None else "fixed-label",
        n0=n0,
        n=n,
        num_classes=num_classes,
    )


def gaussian_l2_predicate(
    *,
    tool: str,
    source: str,
    sigma: str,
    k: int,
    radius_method: str,
    statistics: Statistics,
    entries: Sequence[Entry],
    d: int = CIFAR10_DIMENSION,
    imported: PredicateImport | None = None,
) -> Predicate:
    """A format-v1 predicate for imported Gaussian-L2 evidence (hard labels); ``source`` names the origin."""
    return Predicate(
        format_version=1,
        created=IMPORT_CREATED,
        tool=Tool(name=tool, version=__version__),
        model_files=[],
        smoothing=Smoothing(
            family="gaussian",
            sigma=NonNegDec(sigma),
            lam=None,
            keep=None,
            d=d,
            input_space=None,
            ablated_encoding=None,
        ),
        guarantee=Guarantee(norm="l2", k=k, output="hard", radius_method=radius_method, lipschitz=None),
        statistics=statistics,
        sampler=Sampler(
            software={"source": source}, device=None, dtype=None, batch_size=None, rng=None, base_seed=None
        ),
        entries=list(entries),
        summary=Summary(certified_accuracy=[]),
        imported=UNSET if imported is None else imported,
    )
