"""AUROC, mid-ranks and the fast DeLong variance, covariance, interval and paired test.

The reference is the direct O(n^2) definition of DeLong et al. (1988): every positive is
compared with every negative, and the covariance is written out term by term.
"""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.stats import (
    StatsInputError,
    auroc,
    delong_ci,
    delong_covariance,
    delong_test,
    delong_variance,
    midranks,
)
from scipy.stats import norm, rankdata
from sklearn.metrics import roc_auc_score

TOL = 1e-9


def pairwise_delong(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUROCs and DeLong covariance of ``scores`` [k, n] from pairwise comparisons."""
    pos = scores[:, y == 1]
    neg = scores[:, y == 0]
    m, n = pos.shape[1], neg.shape[1]
    psi = (pos[:, :, None] > neg[:, None, :]) + 0.5 * (pos[:, :, None] == neg[:, None, :])
    v10 = psi.mean(axis=2)  # [k, m]: fraction of negatives each positive beats
    v01 = psi.mean(axis=1)  # [k, n]: fraction of positives that beat each negative
    aucs = psi.mean(axis=(1, 2))
    k = scores.shape[0]
    cov = np.empty((k, k))
    for r in range(k):
        for s in range(k):
            s10 = sum((v10[r, i] - aucs[r]) * (v10[s, i] - aucs[s]) for i in range(m)) / (m - 1)
            s01 = sum((v01[r, j] - aucs[r]) * (v01[s, j] - aucs[s]) for j in range(n)) / (n - 1)
            cov[r, s] = s10 / m + s01 / n
    return aucs, cov


def random_case(seed: int, ties: bool, n: int = 300, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[:2], y[2:4] = 0, 1
    signal = rng.normal(size=n) + y
    scores = np.stack([signal + rng.normal(scale=1 + j, size=n) for j in range(k)])
    if ties:
        scores = np.round(scores, 0)
    return y, scores


CASES = [(seed, ties) for seed in range(4) for ties in (False, True)]


@pytest.mark.parametrize(("seed", "ties"), CASES)
def test_auroc_equals_sklearn(seed: int, ties: bool) -> None:
    y, scores = random_case(seed, ties, n=1000)
    assert auroc(y, scores[0]) == pytest.approx(roc_auc_score(y, scores[0]), abs=TOL)


def test_auroc_accepts_bool_labels_and_imbalanced_classes() -> None:
    rng = np.random.default_rng(7)
    y = rng.random(500) < 0.03
    y[0] = True
    s = rng.normal(size=500) + y
    assert auroc(y, s) == pytest.approx(roc_auc_score(y, s), abs=TOL)


def test_auroc_hand_computed() -> None:
    # Positives 0.35 and 0.8 beat 1 and 2 of the negatives (0.1, 0.4): 3 of 4 pairs.
    assert auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    # All scores tied: every pair counts one half.
    assert auroc([0, 1, 0, 1], [3, 3, 3, 3]) == 0.5


def test_midranks_equal_scipy_average_ranks() -> None:
    x = np.random.default_rng(0).integers(0, 20, 500).astype(float)
    np.testing.assert_array_equal(midranks(x), rankdata(x, method="average"))


@pytest.mark.parametrize(("seed", "ties"), CASES)
def test_delong_variance_equals_pairwise_definition(seed: int, ties: bool) -> None:
    y, scores = random_case(seed, ties)
    auc, variance = delong_variance(y, scores[0])
    ref_aucs, ref_cov = pairwise_delong(y, scores)
    assert auc == pytest.approx(ref_aucs[0], abs=TOL)
    assert variance == pytest.approx(ref_cov[0, 0], abs=TOL)


def test_delong_variance_hand_computed() -> None:
    # V10 = [0.5, 1], V01 = [1, 0.5]: each has sample variance 0.125, so 0.125/2 + 0.125/2.
    assert delong_variance([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == (0.75, 0.125)


@pytest.mark.parametrize(("seed", "ties"), CASES)
def test_delong_covariance_equals_pairwise_definition(seed: int, ties: bool) -> None:
    y, scores = random_case(seed, ties, n=200, k=3)
    aucs, cov = delong_covariance(y, scores)
    ref_aucs, ref_cov = pairwise_delong(y, scores)
    np.testing.assert_allclose(aucs, ref_aucs, rtol=0, atol=TOL)
    np.testing.assert_allclose(cov, ref_cov, rtol=0, atol=TOL)


@pytest.mark.parametrize(("seed", "ties"), CASES)
def test_delong_test_equals_pairwise_definition(seed: int, ties: bool) -> None:
    y, scores = random_case(seed, ties, k=2)
    result = delong_test(y, scores[0], scores[1])
    ref_aucs, ref_cov = pairwise_delong(y, scores)
    ref_z = (ref_aucs[0] - ref_aucs[1]) / np.sqrt(ref_cov[0, 0] + ref_cov[1, 1] - 2 * ref_cov[0, 1])
    assert result.auc_a == pytest.approx(ref_aucs[0], abs=TOL)
    assert result.auc_b == pytest.approx(ref_aucs[1], abs=TOL)
    assert result.z == pytest.approx(ref_z, abs=TOL)
    assert result.p_value == pytest.approx(2 * norm.sf(abs(ref_z)), abs=TOL)


def test_delong_test_is_antisymmetric_in_the_two_models() -> None:
    y, scores = random_case(11, ties=True, k=2)
    ab = delong_test(y, scores[0], scores[1])
    ba = delong_test(y, scores[1], scores[0])
    assert ba.z == pytest.approx(-ab.z, abs=TOL)
    assert ba.p_value == pytest.approx(ab.p_value, abs=TOL)


def test_delong_test_of_models_ranking_alike_has_z_0_and_p_1() -> None:
    y, scores = random_case(3, ties=True)
    # A monotone transform ranks every pair the same way, so the AUROCs are identical.
    result = delong_test(y, scores[0], np.exp(scores[0]))
    assert (result.z, result.p_value) == (0.0, 1.0)
    assert result.auc_a == result.auc_b


def test_delong_test_with_zero_variance_but_different_aucs_is_certain() -> None:
    # A perfect ranker against a constant score: every structural component differs by 0.5.
    result = delong_test([0, 0, 1, 1], [1, 2, 3, 4], [1, 1, 1, 1])
    assert result == (1.0, 0.5, np.inf, 0.0)


@pytest.mark.parametrize("level", [0.95, 0.9, 0.5])
def test_delong_ci_is_wald_interval_from_pairwise_variance(level: float) -> None:
    y, scores = random_case(5, ties=True)
    ref_aucs, ref_cov = pairwise_delong(y, scores)
    half = norm.ppf(0.5 + level / 2) * np.sqrt(ref_cov[0, 0])
    auc, lower, upper = delong_ci(y, scores[0], level=level)
    assert auc == pytest.approx(ref_aucs[0], abs=TOL)
    assert lower == pytest.approx(ref_aucs[0] - half, abs=TOL)
    assert upper == pytest.approx(ref_aucs[0] + half, abs=TOL)


def test_delong_ci_is_clipped_to_unit_interval() -> None:
    # Perfect separation has zero DeLong variance; a near-perfect small sample would exceed 1.
    assert delong_ci([0, 0, 1, 1], [1, 2, 3, 4]) == (1.0, 1.0, 1.0)
    auc, lower, upper = delong_ci([0, 0, 0, 1, 1, 1], [1, 2, 4, 3, 5, 6])
    assert upper == 1.0
    assert 0.0 <= lower < auc < 1.0


def test_too_few_studies_per_class_for_the_variance() -> None:
    with pytest.raises(StatsInputError, match="1 positive and 3 negative"):
        delong_ci([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.4])


def test_single_class_is_rejected() -> None:
    with pytest.raises(StatsInputError, match="y_true contains only class 0"):
        auroc([0, 0, 0], [0.1, 0.2, 0.3])


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(StatsInputError, match="y_true has 4, score_a has 4, score_b has 3"):
        delong_test([0, 1, 0, 1], [1, 2, 3, 4], [1, 2, 3])


def test_non_finite_scores_are_rejected() -> None:
    with pytest.raises(StatsInputError, match=r"score_b has 1 NaN values at indices \[2\]"):
        delong_test([0, 1, 0, 1], [1, 2, 3, 4], [1, 2, np.nan, 4])
    with pytest.raises(StatsInputError, match=r"y_score has 1 infinite values at indices \[0\]"):
        delong_ci([0, 1, 0, 1], [np.inf, 2, 3, 4])


def test_non_binary_labels_are_rejected() -> None:
    with pytest.raises(StatsInputError, match=r"y_true must contain only the labels 0 and 1"):
        auroc([0, 1, 2], [0.1, 0.2, 0.3])


def test_covariance_needs_one_row_per_model() -> None:
    with pytest.raises(StatsInputError, match="scores must be 2-dimensional"):
        delong_covariance([0, 1, 0, 1], [1, 2, 3, 4])
    with pytest.raises(StatsInputError, match="each row of scores has 3"):
        delong_covariance([0, 1, 0, 1], [[1, 2, 3], [3, 2, 1]])


def test_invalid_level_is_rejected() -> None:
    with pytest.raises(StatsInputError, match="level must lie strictly between 0 and 1"):
        delong_ci([0, 0, 1, 1], [1, 2, 3, 4], level=95)
