"""One module per noise family's radius methods; each declares ``FAMILY`` and ``METHODS``."""
