"""The certificate predicate that every importer of a published CIFAR-10 Gaussian-L2 result fills in.

Published logs record no sampler, device, date or input digests, so those fields are null and ``created`` is
fixed (deterministic output). One place for the skeleton keeps the importers to what differs: the radius
method, the statistics and the entries.
"""

from __future__ import annotations

from typing import Any

from audit import __version__

IMPORT_CREATED = "1970-01-01T00:00:00Z"  # deterministic output; published logs carry no date
CIFAR10_DIMENSION = 3 * 32 * 32


def single_bound_statistics(
    *, alpha: str, interval: str, bound: str, n: int, num_classes: int, n0: int | None = None
) -> dict[str, Any]:
    """``statistics`` with the whole α spent on one bound; ``n0`` given ⇔ separate-draw selection."""
    return {
        "alpha": alpha,
        "interval": interval,
        "alpha_split": [{"bound": bound, "alpha": alpha}],
        "selection": "separate-draw" if n0 is not None else "fixed-label",
        "n0": n0,
        "n": n,
        "num_classes": num_classes,
    }


def gaussian_l2_predicate(
    *,
    tool: str,
    source: str,
    sigma: str,
    k: int,
    radius_method: str,
    statistics: dict[str, Any],
    entries: list[dict[str, Any]],
    d: int = CIFAR10_DIMENSION,
) -> dict[str, Any]:
    """A format-v1 predicate for imported Gaussian-L2 evidence (hard labels); ``source`` names the origin."""
    return {
        "format_version": 1,
        "created": IMPORT_CREATED,
        "tool": {"name": tool, "version": __version__},
        "model_files": [],
        "smoothing": {
            "family": "gaussian",
            "sigma": sigma,
            "lambda": None,
            "keep": None,
            "d": d,
            "input_space": None,
            "ablated_encoding": None,
        },
        "guarantee": {
            "norm": "l2",
            "k": k,
            "output": "hard",
            "radius_method": radius_method,
            "lipschitz": None,
        },
        "statistics": statistics,
        "sampler": {
            "software": {"source": source},
            "device": None,
            "dtype": None,
            "batch_size": None,
            "rng": None,
            "base_seed": None,
        },
        "entries": entries,
        "summary": {"certified_accuracy": []},
    }
