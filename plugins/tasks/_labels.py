"""Reading label values from a study's labels: numbers and 0/1 flags, missing as None."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def number(labels: Mapping[str, Any], *names: str) -> float | None:
    """The first of ``names`` present as a finite number, else None."""
    for name in names:
        value = labels.get(name)
        if isinstance(value, bool) or value is None or value == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            return number
    return None


def flag(labels: Mapping[str, Any], name: str) -> float | None:
    """A binary label as 0.0 / 1.0 (from bool, 0/1 or '0'/'1'), else None."""
    value = labels.get(name)
    if isinstance(value, bool):
        return float(value)
    value = number(labels, name)
    return value if value in (0.0, 1.0) else None


def flags(labels: Mapping[str, Any], names: Sequence[str]) -> list[float] | None:
    """Every label in ``names`` as 0/1, or None if any is missing."""
    values = [flag(labels, name) for name in names]
    return None if any(v is None for v in values) else values  # type: ignore[return-value]
