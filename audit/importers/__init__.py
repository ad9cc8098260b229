"""Importers: turn published reference-implementation outputs into certificates ``audit verify`` checks."""
