"""Small, hand-written schema-valid predicates for each noise family (test data, not code under test)."""

from __future__ import annotations

import copy
from typing import Any

SHA_A = "a" * 64
SHA_B = "b" * 64

SUBJECTS = [{"name": "demo_cnn.safetensors", "digest": {"sha256": SHA_A}}]


def _base(num_classes: int = 4, n: int = 100, n0: int | None = 10) -> dict[str, Any]:
    return {
        "format_version": 1,
        "created": "2026-11-21T12:00:00Z",
        "tool": {"name": "certs", "version": "0.1.0"},
        "model_files": [{"name": "demo_cnn.safetensors", "sha256": SHA_A}],
        "smoothing": {
            "family": "gaussian",
            "sigma": "0.25",
            "lambda": None,
            "keep": None,
            "d": 64,
            "input_space": {"shape": [1, 8, 8], "low": "0", "high": "1", "units": "pixel intensity in [0,1]"},
            "ablated_encoding": None,
        },
        "guarantee": {"norm": "l2", "k": 1, "output": "hard", "radius_method": "cohen", "lipschitz": None},
        "statistics": {
            "alpha": "0.001",
            "interval": "cp",
            "alpha_split": [{"bound": "pA_low", "alpha": "0.001"}],
            "selection": "separate-draw" if n0 is not None else "fixed-label",
            "n0": n0,
            "n": n,
            "num_classes": num_classes,
        },
        "sampler": {
            "software": {"python": "3.11.7", "torch": "2.13.0", "certs": "0.1.0"},
            "device": "cpu",
            "dtype": "float32",
            "batch_size": 50,
            "rng": "torch.Generator(device=cpu) mt19937",
            "base_seed": 0,
        },
        "entries": [
            {
                "id": "digits-test:0",
                "input_sha256": SHA_B,
                "true_label": 2,
                "seed": 1234,
                "selection_counts": [0, 1, 9, 0] if n0 is not None else None,
                "counts": [1, 2, 95, 2],
                "scores": None,
                "claim": {"abstain": False, "label": 2, "radius": "0.378"},
            },
            {
                "id": "digits-test:1",
                "input_sha256": None,
                "true_label": None,
                "seed": 1235,
                "selection_counts": [5, 5, 0, 0] if n0 is not None else None,
                "counts": [50, 48, 1, 1],
                "scores": None,
                "claim": {"abstain": True, "label": None, "radius": None},
            },
        ],
        "summary": {
            "certified_accuracy": [
                {"radius": "0", "claimed": "0.5", "population_lower": "0.01", "rho": "0.001"},
                {"radius": "0.25", "claimed": "0.5", "population_lower": None, "rho": None},
            ]
        },
    }


def gaussian() -> dict[str, Any]:
    return _base()


def laplace() -> dict[str, Any]:
    p = _base(n0=None)
    p["smoothing"].update({"family": "laplace", "sigma": None, "lambda": "0.5"})
    p["guarantee"].update({"norm": "l1", "radius_method": "laplace-multiclass"})
    return p


def ablation() -> dict[str, Any]:
    p = _base()
    p["smoothing"].update(
        {"family": "ablation", "sigma": None, "keep": 50, "d": 1024, "ablated_encoding": "zero+mask-channel"}
    )
    p["smoothing"]["input_space"]["shape"] = [1, 32, 32]  # d = H*W = 1024 pixels
    p["guarantee"].update({"norm": "l0", "k": 3, "radius_method": "ablation-topk"})
    p["statistics"].update({"interval": "simuem", "alpha_split": [{"bound": "simuem", "alpha": "0.001"}]})
    p["entries"][0]["claim"]["radius"] = "16"
    return p


def soft() -> dict[str, Any]:
    p = _base()
    p["guarantee"].update({"output": "soft", "radius_method": "soft-gaussian"})
    p["statistics"].update(
        {
            "interval": "bernstein",
            "alpha_split": [{"bound": "F_y_low", "alpha": "0.0005"}, {"bound": "F_j_up", "alpha": "0.0005"}],
        }
    )
    for e in p["entries"]:
        e["counts"] = None
    # scores in [0,1]: per class sum <= n, sum^2/n <= sumsq <= sum
    p["entries"][0]["scores"] = {
        "sum": ["3.5", "2.25", "90.125", "4.125"],
        "sumsq": ["0.5", "0.25", "85.5", "1"],
        "sidecar": {"path": "scores-0.npy", "sha256": SHA_B},
    }
    p["entries"][1]["scores"] = {
        "sum": ["50", "48", "1", "1"],
        "sumsq": ["40", "30", "0.5", "0.5"],
        "sidecar": None,
    }
    return p


FAMILIES = {"gaussian": gaussian, "laplace": laplace, "ablation": ablation, "soft": soft}


def family(name: str) -> dict[str, Any]:
    return copy.deepcopy(FAMILIES[name]())
