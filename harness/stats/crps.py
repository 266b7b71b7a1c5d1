"""Continuous Ranked Probability Score of the Kaggle Second Annual Data Science Bowl.

Each study's volume is predicted as a CDF over 600 one-millilitre bins, P(V <= n) for
n = 0, ..., 599, and scored as

    C = 1 / (600 N) * sum_m sum_n (P_m(V <= n) - H(n - V_m))^2,

with H the Heaviside step, H(0) = 1. Lower is better; a perfect step CDF scores 0.
"""

from __future__ import annotations

import numpy as np
from cmrbench.stats._validate import (
    StatsInputError,
    as_float_array,
    check_same_length,
    describe_indices,
)
from numpy.typing import ArrayLike
from scipy.stats import norm

CRPS_BINS = 600


def crps(cdf: ArrayLike, volumes: ArrayLike) -> float:
    """CRPS of predicted CDFs ``cdf`` [n_studies, 600] against true ``volumes`` [n_studies] (ml).

    Every CDF row must lie in [0, 1] and be non-decreasing, as the Kaggle rules require; a
    malformed row is an error rather than being repaired silently.
    """
    probs = as_float_array(cdf, "cdf", ndim=2)
    truth = as_float_array(volumes, "volumes")
    if probs.shape[1] != CRPS_BINS:
        raise StatsInputError(
            f"cdf must have {CRPS_BINS} columns (P(V <= n) for n = 0..{CRPS_BINS - 1} ml), but "
            f"it has shape {probs.shape}; build it with normal_cdf_bins or pad it to "
            f"{CRPS_BINS} bins"
        )
    check_same_length(cdf=probs, volumes=truth)
    out_of_range = np.flatnonzero(((probs < 0) | (probs > 1)).any(axis=1))
    if out_of_range.size:
        raise StatsInputError(
            f"cdf has values outside [0, 1] in rows {describe_indices(out_of_range)}; "
            "a CDF holds probabilities, so clip or renormalise them"
        )
    decreasing = np.flatnonzero((np.diff(probs, axis=1) < 0).any(axis=1))
    if decreasing.size:
        raise StatsInputError(
            f"cdf decreases along the bins in rows {describe_indices(decreasing)}; a CDF must be "
            "non-decreasing, so apply np.maximum.accumulate along axis 1 first"
        )
    negative = np.flatnonzero(truth < 0)
    if negative.size:
        raise StatsInputError(
            f"volumes has {negative.size} negative values at indices {describe_indices(negative)}; "
            "volumes are in millilitres and must be >= 0"
        )
    step = np.arange(CRPS_BINS) >= truth[:, None]
    return float(np.mean((probs - step) ** 2))


def normal_cdf_bins(mean: ArrayLike, sigma: ArrayLike) -> np.ndarray:
    """CDFs [n_studies, 600] of Normal(mean, sigma) volumes, for a point prediction + sigma.

    ``mean`` and ``sigma`` are 1-D (or scalars, broadcast against each other), in ml.
    """
    mu = as_float_array(np.atleast_1d(mean), "mean")
    sd = as_float_array(np.atleast_1d(sigma), "sigma")
    if (sd <= 0).any():
        raise StatsInputError(
            f"sigma must be > 0, but it has {int((sd <= 0).sum())} values <= 0; a zero sigma "
            "has no normal CDF, so use a small positive value instead"
        )
    try:
        mu, sd = np.broadcast_arrays(mu, sd)
    except ValueError:
        raise StatsInputError(
            f"mean has {mu.size} values and sigma has {sd.size}; pass one sigma per study "
            "or a single sigma for all"
        ) from None
    return norm.cdf((np.arange(CRPS_BINS) - mu[:, None]) / sd[:, None])
