"""Issuer of randomized-smoothing certificates: a torch sampling front end.

torch is imported only inside this package (and lazily, so ``certs keygen``/``certs sign`` work without it).
Bounds and radii come from :mod:`audit.theory`; documents and signatures from :mod:`audit.format`.
"""

__version__ = "0.1.0"
