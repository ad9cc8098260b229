"""Layer 2: confidence bounds and radius formulas, one implementation each, in float64 or mpmath.

Pure functions, no I/O, no torch; inputs are exact numbers or the typed document objects of
:mod:`audit.format`. See docs/architecture.md ("Theory API") and docs/theory.md for the formulas.
"""

from __future__ import annotations

from audit.theory import methods
from audit.theory.ablation import ablation_radius, levine_feizi_radius
from audit.theory.betting import betting_lower, betting_upper
from audit.theory.binomial import LabelBounds, binocp_bounds, cp_lower, cp_upper, simuem_bounds
from audit.theory.derive import (
    CertificationSpec,
    Derivation,
    Evidence,
    alpha_split,
    derive,
    methods_of,
    reuse_failure_bound,
)
from audit.theory.exact import exact_margin_lower
from audit.theory.gaussian import cohen_radius, topk_radius
from audit.theory.laplace import laplace_binary_radius, laplace_radius, lecuyer_radius
from audit.theory.means import bernstein_lower, bernstein_upper, hoeffding_lower, hoeffding_upper
from audit.theory.population import certified_at, population_lower_bound
from audit.theory.precision import DEFAULT_DPS, FLOAT, Backend, Bound, mp_backend
from audit.theory.predict import binom_test_two_sided, predict_top1, predict_topk
from audit.theory.randomized import committed_uniform, randomized_cp_lower, randomized_cp_upper
from audit.theory.soft import soft_gaussian_radius, soft_lipschitz_radius

__all__ = [
    "DEFAULT_DPS",
    "FLOAT",
    "Backend",
    "Bound",
    "CertificationSpec",
    "Derivation",
    "Evidence",
    "LabelBounds",
    "ablation_radius",
    "alpha_split",
    "bernstein_lower",
    "bernstein_upper",
    "betting_lower",
    "betting_upper",
    "binocp_bounds",
    "binom_test_two_sided",
    "certified_at",
    "cohen_radius",
    "committed_uniform",
    "cp_lower",
    "cp_upper",
    "derive",
    "exact_margin_lower",
    "hoeffding_lower",
    "hoeffding_upper",
    "laplace_binary_radius",
    "laplace_radius",
    "lecuyer_radius",
    "levine_feizi_radius",
    "methods",
    "methods_of",
    "mp_backend",
    "population_lower_bound",
    "predict_top1",
    "predict_topk",
    "randomized_cp_lower",
    "randomized_cp_upper",
    "reuse_failure_bound",
    "simuem_bounds",
    "soft_gaussian_radius",
    "soft_lipschitz_radius",
    "topk_radius",
]
