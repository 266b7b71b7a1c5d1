"""Input validation at the edge: errors name the argument, the problem and the fix."""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.stats import StatsInputError, auroc, mae


def test_error_is_a_value_error() -> None:
    assert issubclass(StatsInputError, ValueError)


def test_nan_message_lists_the_indices_and_the_fix() -> None:
    score = np.linspace(0, 1, 20)
    score[[4, 9, 17]] = np.nan
    with pytest.raises(StatsInputError) as info:
        auroc(np.arange(20) % 2, score)
    assert str(info.value) == (
        "y_score has 3 NaN values at indices [4, 9, 17]; drop or impute them before scoring"
    )


def test_long_index_lists_are_truncated() -> None:
    shown = r"\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, \.\.\. \(5 more\)\]"
    with pytest.raises(StatsInputError, match=rf"y_true has 15 NaN values at indices {shown}"):
        mae(np.full(15, np.nan), np.zeros(15))


def test_infinite_values() -> None:
    with pytest.raises(StatsInputError, match=r"y_true has 2 infinite values at indices \[0, 2\]"):
        mae([np.inf, 1, -np.inf], [1, 2, 3])


def test_mismatched_lengths() -> None:
    with pytest.raises(StatsInputError, match="y_true has 3, y_score has 2; pass arrays of the"):
        auroc([0, 1, 0], [0.1, 0.2])


def test_single_class() -> None:
    with pytest.raises(StatsInputError, match=r"y_true contains only class 1 \(3 studies\)"):
        auroc([1, 1, 1], [0.1, 0.2, 0.3])


def test_non_binary_labels_name_the_offending_values() -> None:
    with pytest.raises(StatsInputError, match=r"also contains \[0.5, 2\]; map the labels"):
        auroc([0, 1, 2, 0.5], [0.1, 0.2, 0.3, 0.4])


def test_wrong_dimensions_empty_and_non_numeric() -> None:
    with pytest.raises(StatsInputError, match=r"y_score must be 1-dimensional.*shape \(2, 2\)"):
        auroc([0, 1], [[0.1, 0.2], [0.3, 0.4]])
    with pytest.raises(StatsInputError, match="y_true is empty"):
        mae([], [])
    with pytest.raises(StatsInputError, match="y_true must be numeric"):
        auroc(["no", "yes"], [0.1, 0.2])
