"""CRPS of the Kaggle volume task over 600 one-ml bins, and the normal-CDF helper.

References: hand-computed scores and the formula evaluated term by term.
"""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.stats import CRPS_BINS, StatsInputError, crps, normal_cdf_bins
from scipy.stats import norm

BINS = np.arange(600)


def step(volume: float) -> np.ndarray:
    return (BINS >= volume).astype(float)


def crps_by_definition(cdf: np.ndarray, volumes: np.ndarray) -> float:
    total = 0.0
    for m, volume in enumerate(volumes):
        for n in range(600):
            heaviside = 1.0 if n - volume >= 0 else 0.0
            total += (cdf[m, n] - heaviside) ** 2
    return total / (600 * len(volumes))


def test_perfect_step_cdf_scores_zero() -> None:
    volumes = np.array([0.0, 10.0, 123.0, 599.0, 87.5])
    assert crps(np.stack([step(v) for v in volumes]), volumes) == 0.0


def test_hand_computed_cases() -> None:
    # A step two bins late misses P(V <= 10) and P(V <= 11): 2 errors of 1.
    assert crps(step(12)[None], [10]) == 2 / 600
    # A flat 0.5 against V = 0 (H = 1 everywhere, H(0) = 1): 0.25 in every bin.
    assert crps(np.full((1, 600), 0.5), [0]) == 0.25
    # The mean over studies: 0 for the first, 2/600 for the second.
    assert crps(np.stack([step(40), step(12)]), [40, 10]) == pytest.approx(1 / 600, abs=1e-15)


def test_crps_equals_term_by_term_formula() -> None:
    rng = np.random.default_rng(0)
    volumes = rng.uniform(20, 400, size=6).round(1)
    cdf = normal_cdf_bins(volumes + rng.normal(0, 15, 6), rng.uniform(5, 30, 6))
    assert crps(cdf, volumes) == pytest.approx(crps_by_definition(cdf, volumes), abs=1e-12)


def test_normal_cdf_bins_is_the_normal_cdf_at_each_bin() -> None:
    cdf = normal_cdf_bins([100.0, 250.0], [10.0, 20.0])
    assert cdf.shape == (2, CRPS_BINS)
    np.testing.assert_allclose(cdf[0], norm.cdf(BINS, loc=100, scale=10), rtol=0, atol=1e-15)
    np.testing.assert_allclose(cdf[1], norm.cdf(BINS, loc=250, scale=20), rtol=0, atol=1e-15)


def test_normal_cdf_bins_broadcasts_one_sigma_and_is_a_valid_cdf() -> None:
    cdf = normal_cdf_bins(np.array([50.0, 300.0, 590.0]), 25.0)
    assert cdf.shape == (3, 600)
    assert (np.diff(cdf, axis=1) >= 0).all()
    assert ((cdf >= 0) & (cdf <= 1)).all()
    # A sharp prediction at the true volume scores close to the perfect step.
    assert crps(normal_cdf_bins([200.5], [0.01]), [200.5]) == 0.0


def test_malformed_cdfs_are_rejected() -> None:
    bad = np.stack([step(10), step(20)])
    bad[1, 100] = 0.5  # a dip after the step
    with pytest.raises(StatsInputError, match=r"cdf decreases along the bins in rows \[1\]"):
        crps(bad, [10, 20])
    with pytest.raises(StatsInputError, match=r"cdf has values outside \[0, 1\] in rows \[0\]"):
        crps(step(10)[None] * 1.5, [10])
    with pytest.raises(StatsInputError, match="cdf must have 600 columns"):
        crps(np.ones((1, 599)), [10])
    with pytest.raises(StatsInputError, match=r"cdf has 1 NaN values at rows \[0\]"):
        crps(np.where(BINS == 3, np.nan, 1.0)[None], [10])


def test_invalid_volumes_and_sigmas_are_rejected() -> None:
    with pytest.raises(StatsInputError, match="cdf has 1, volumes has 2"):
        crps(step(10)[None], [10, 20])
    with pytest.raises(StatsInputError, match="volumes has 1 negative values"):
        crps(step(10)[None], [-5])
    with pytest.raises(StatsInputError, match="sigma must be > 0"):
        normal_cdf_bins([100.0], [0.0])
    with pytest.raises(StatsInputError, match="mean has 3 values and sigma has 2"):
        normal_cdf_bins([1.0, 2.0, 3.0], [1.0, 2.0])
