"""Input checks shared by every statistic.

Statistics are validated once, at the edge, so that a bad input fails with a message that
names the argument, the problem and the fix instead of silently producing ``nan``.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

_MAX_SHOWN = 10


class StatsInputError(ValueError):
    """An argument passed to a statistic is malformed (wrong shape, NaN, one class, ...)."""


def describe_indices(indices: np.ndarray) -> str:
    """Render indices for an error message, at most the first ten."""
    shown = ", ".join(str(int(i)) for i in indices[:_MAX_SHOWN])
    more = f", ... ({indices.size - _MAX_SHOWN} more)" if indices.size > _MAX_SHOWN else ""
    return f"[{shown}{more}]"


def _show_values(values: np.ndarray) -> str:
    shown = ", ".join(f"{v:g}" for v in values[:_MAX_SHOWN])
    return f"[{shown}{', ...' if values.size > _MAX_SHOWN else ''}]"


def as_float_array(x: ArrayLike, name: str, ndim: int = 1) -> np.ndarray:
    """Convert ``x`` to a non-empty, finite float array with ``ndim`` dimensions."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatsInputError(
            f"{name} must be numeric, but it could not be converted to floats ({exc}); "
            "pass an array of numbers"
        ) from None
    if arr.ndim != ndim:
        raise StatsInputError(
            f"{name} must be {ndim}-dimensional, but it has shape {arr.shape}; "
            f"reshape it to {ndim} dimension{'s' if ndim > 1 else ''}"
        )
    if arr.size == 0:
        raise StatsInputError(f"{name} is empty; pass at least one value")
    non_finite = ~np.isfinite(arr.reshape(-1))
    if non_finite.any():
        nan_idx = np.flatnonzero(np.isnan(arr.reshape(-1)))
        if nan_idx.size:
            raise StatsInputError(
                f"{name} has {nan_idx.size} NaN values at {_location(nan_idx, arr.shape)}; "
                "drop or impute them before scoring"
            )
        inf_idx = np.flatnonzero(non_finite)
        raise StatsInputError(
            f"{name} has {inf_idx.size} infinite values at {_location(inf_idx, arr.shape)}; "
            "drop or clip them before scoring"
        )
    return arr


def _location(flat_indices: np.ndarray, shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"indices {describe_indices(flat_indices)}"
    rows = np.unique(np.unravel_index(flat_indices, shape)[0])
    return f"rows {describe_indices(rows)}"


def as_binary_labels(y: ArrayLike, name: str = "y_true") -> np.ndarray:
    """Convert ``y`` to a boolean array (positive = True); labels must be 0/1 or bool."""
    arr = as_float_array(y, name)
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        raise StatsInputError(
            f"{name} must contain only the labels 0 and 1, but it also contains "
            f"{_show_values(np.unique(arr[bad]))}; map the labels to 0 (negative) and "
            "1 (positive) first"
        )
    return arr == 1


def require_both_classes(labels: np.ndarray, name: str = "y_true", min_count: int = 1) -> None:
    """Raise unless ``labels`` holds at least ``min_count`` positives and negatives."""
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos >= min_count and n_neg >= min_count:
        return
    if n_pos == 0 or n_neg == 0:
        only = 1 if n_neg == 0 else 0
        raise StatsInputError(
            f"{name} contains only class {only} ({labels.size} studies); the statistic "
            "needs both positive and negative studies, so score a sample with both classes"
        )
    raise StatsInputError(
        f"{name} has {n_pos} positive and {n_neg} negative studies; the statistic needs at "
        f"least {min_count} of each, so score a larger sample"
    )


def check_same_length(**arrays: np.ndarray) -> None:
    """Raise unless all arrays have the same length (first dimension)."""
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise StatsInputError(
            f"inputs must have one entry per study, but {described}; pass arrays of the same length"
        )


def check_level(level: float) -> float:
    """Return ``level`` as a float, raising unless it is a probability strictly in (0, 1)."""
    if not isinstance(level, Real) or not 0.0 < level < 1.0:
        raise StatsInputError(
            f"level must lie strictly between 0 and 1, but it is {level!r}; "
            "pass e.g. 0.95 for a 95% interval"
        )
    return float(level)


def check_positive_int(value: int, name: str) -> int:
    """Return ``value`` unless it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise StatsInputError(f"{name} must be a positive integer, but it is {value!r}")
    return int(value)
