"""Theory core: confidence bounds and radius formulas, one implementation each, float64 or mpmath.

Pure functions, no I/O, no torch. See docs/architecture.md ("Theory API") for the contract. Modules written
by the "theory extras" (means, betting, exact, predict, population, randomized) are re-exported here when
present: their public names (``__all__`` or public functions/classes) become attributes of this package.
"""

from __future__ import annotations

import importlib
import inspect

from audit.theory.ablation import ablation_radius, levine_feizi_radius
from audit.theory.binomial import LabelBounds, binocp_bounds, cp_lower, cp_upper, simuem_bounds
from audit.theory.derive import (
    HARD_INTERVALS,
    RADIUS_METHODS,
    SOFT_INTERVALS,
    CertificationSpec,
    Derivation,
    Evidence,
    alpha_split,
    derive,
    reuse_failure_bound,
)
from audit.theory.gaussian import cohen_radius, topk_radius
from audit.theory.laplace import laplace_binary_radius, laplace_radius, lecuyer_radius
from audit.theory.precision import (
    DEFAULT_DPS,
    FLOAT,
    Backend,
    Bound,
    backend_for,
    mp_backend,
    to_fraction,
)
from audit.theory.soft import soft_gaussian_radius, soft_lipschitz_radius

__all__ = [
    "DEFAULT_DPS",
    "FLOAT",
    "HARD_INTERVALS",
    "RADIUS_METHODS",
    "SOFT_INTERVALS",
    "Backend",
    "Bound",
    "CertificationSpec",
    "Derivation",
    "Evidence",
    "LabelBounds",
    "ablation_radius",
    "alpha_split",
    "backend_for",
    "binocp_bounds",
    "cohen_radius",
    "cp_lower",
    "cp_upper",
    "derive",
    "laplace_binary_radius",
    "laplace_radius",
    "lecuyer_radius",
    "levine_feizi_radius",
    "mp_backend",
    "reuse_failure_bound",
    "simuem_bounds",
    "soft_gaussian_radius",
    "soft_lipschitz_radius",
    "to_fraction",
    "topk_radius",
]

_EXTRAS = ("means", "betting", "exact", "predict", "population", "randomized")


def _export_extras() -> None:
    for name in _EXTRAS:
        try:
            mod = importlib.import_module(f"audit.theory.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"audit.theory.{name}":
                raise
            continue
        public = getattr(mod, "__all__", None)
        if public is None:
            public = [
                n
                for n, v in vars(mod).items()
                if not n.startswith("_")
                and (inspect.isfunction(v) or inspect.isclass(v))
                and getattr(v, "__module__", "") == mod.__name__
            ]
        for n in public:
            if n not in globals():
                globals()[n] = getattr(mod, n)
                __all__.append(n)


_export_extras()
