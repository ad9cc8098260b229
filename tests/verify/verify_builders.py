"""Small certificate builders for the verifier tests: predicate dicts (test data), decoded into the typed
model by :func:`statement` as the verifier reads them (no signatures)."""

from __future__ import annotations

import copy
from typing import Any

from documents import as_dict, typed

from audit.format import Statement
from audit.importers.skeleton import gaussian_l2_predicate, single_bound_statistics

SUBJECT = [{"name": "m.safetensors", "digest": {"sha256": "0" * 63 + "1"}}]

BASE: dict[str, Any] = as_dict(
    gaussian_l2_predicate(
        tool="tests",
        source="tests/verify",
        sigma="0.25",
        k=1,
        radius_method="cohen",
        statistics=single_bound_statistics(
            alpha="0.001", interval="cp", bound="pA_low", n=100000, num_classes=10
        ),
        entries=[],
    )
)
BASE["tool"]["version"] = "0"
BASE["created"] = "2026-11-21T12:00:00Z"
BASE["sampler"] = {"software": {"python": "3.11"}, "device": "cpu", "dtype": "float32", "batch_size": 1,
                   "rng": "test", "base_seed": 0}  # fmt: skip


def predicate() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def entry(
    i: int,
    label: int,
    radius: str | None,
    *,
    counts: list[int] | None = None,
    scores: dict[str, Any] | None = None,
    true_label: int | None = None,
    selection_counts: list[int] | None = None,
) -> dict[str, Any]:
    return {
        "id": f"t:{i}",
        "input_sha256": f"{i:064x}",
        "true_label": label if true_label is None else true_label,
        "seed": i,
        "selection_counts": selection_counts,
        "counts": counts,
        "scores": scores,
        "claim": (
            {"abstain": True, "label": None, "radius": None}
            if radius is None
            else {"abstain": False, "label": label, "radius": radius}
        ),
    }


def statement(pred: dict[str, Any]) -> Statement:
    return typed(pred, SUBJECT)
