"""Verifier for randomized-smoothing robustness certificates.

Layers (arrows point down only): ``audit.format`` (document, schema, DSSE, Ed25519), ``audit.theory``
(pure bounds and radii, float or mpmath), ``audit.verify`` (the audit pipeline), ``audit.cli`` (thin faces).
Nothing under ``audit`` imports torch.
"""

__version__ = "0.1.0"
