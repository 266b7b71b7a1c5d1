"""Holm and Benjamini-Hochberg adjusted p-values, checked against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.stats import StatsInputError, benjamini_hochberg, holm
from statsmodels.stats.multitest import multipletests


def random_p_values(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 1e-3, size=10), [0.0, 1.0]])
    p[5] = p[6]  # a tie
    return rng.permutation(p)


@pytest.mark.parametrize("seed", range(5))
def test_holm_equals_statsmodels(seed: int) -> None:
    p = random_p_values(seed)
    expected = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(holm(p), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_benjamini_hochberg_equals_statsmodels(seed: int) -> None:
    p = random_p_values(seed)
    expected = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(benjamini_hochberg(p), expected, rtol=0, atol=1e-12)


def test_hand_computed_case() -> None:
    p = [0.01, 0.04, 0.03]
    # Holm: sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.06 (running max).
    np.testing.assert_allclose(holm(p), [0.03, 0.06, 0.06])
    # BH: times 3/1, 3/2, 3/3 -> 0.03, 0.045, 0.04 -> running min from the top: 0.03, 0.04, 0.04.
    np.testing.assert_allclose(benjamini_hochberg(p), [0.03, 0.04, 0.04])


def test_single_p_value_is_unchanged() -> None:
    assert holm([0.2]).tolist() == [0.2]
    assert benjamini_hochberg([0.2]).tolist() == [0.2]


def test_invalid_p_values_are_rejected() -> None:
    with pytest.raises(StatsInputError, match=r"p_values has 1 values outside \[0, 1\]"):
        holm([0.1, 1.5])
    with pytest.raises(StatsInputError, match="p_values has 1 NaN values"):
        benjamini_hochberg([0.1, np.nan])
    with pytest.raises(StatsInputError, match="p_values is empty"):
        holm([])
