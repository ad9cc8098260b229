"""Theory core: confidence bounds and radius formulas, one implementation each, float64 or mpmath.

Pure functions, no I/O, no torch. See docs/architecture.md ("Theory API") for the contract.
"""

from audit.theory.binomial import LabelBounds, binocp_bounds, cp_lower, cp_upper, simuem_bounds
from audit.theory.precision import (
    DEFAULT_DPS,
    FLOAT,
    Backend,
    Bound,
    backend_for,
    mp_backend,
    to_fraction,
)

__all__ = [
    "DEFAULT_DPS",
    "FLOAT",
    "Backend",
    "Bound",
    "LabelBounds",
    "backend_for",
    "binocp_bounds",
    "cp_lower",
    "cp_upper",
    "mp_backend",
    "simuem_bounds",
    "to_fraction",
]
