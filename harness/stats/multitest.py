"""Adjusted p-values for testing many labels at once.

Holm (1979) controls the family-wise error rate; Benjamini & Hochberg (1995) control the false
discovery rate. Reject hypothesis i at level alpha when its adjusted p-value is <= alpha.
"""

from __future__ import annotations

import numpy as np
from cmrbench.stats._validate import StatsInputError, as_float_array, describe_indices
from numpy.typing import ArrayLike


def _p_values(p_values: ArrayLike) -> np.ndarray:
    p = as_float_array(p_values, "p_values")
    outside = np.flatnonzero((p < 0) | (p > 1))
    if outside.size:
        raise StatsInputError(
            f"p_values has {outside.size} values outside [0, 1] at indices "
            f"{describe_indices(outside)}; pass probabilities"
        )
    return p


def holm(p_values: ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p-values, in the input order."""
    p = _p_values(p_values)
    m = p.size
    order = np.argsort(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg step-up adjusted p-values (q-values), in the input order."""
    p = _p_values(p_values)
    m = p.size
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted
