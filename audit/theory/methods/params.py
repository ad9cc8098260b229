"""Access to a radius method's parameters with the one error a missing one gives."""

from __future__ import annotations

from typing import TypeVar

from audit.errors import UsageError

T = TypeVar("T")


def need(value: T | None, name: str) -> T:
    """``value``, or UsageError naming the parameter the radius method needs."""
    if value is None:
        raise UsageError(f"{name} is required for this radius method", field=name)
    return value
