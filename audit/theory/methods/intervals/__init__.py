"""One module per interval method; each declares ``METHOD`` (or ``METHODS``), found by the registry."""
