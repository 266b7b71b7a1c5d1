"""AUROC and its DeLong variance, computed by the fast mid-rank algorithm.

DeLong, DeLong & Clarke-Pearson (1988) estimate the covariance of correlated AUROCs from the
structural components (placement values) of each study: for a positive study, the fraction
of negatives it outscores; for a negative study, the fraction of positives that outscore it
(ties count one half). Sun & Xu (2014) showed that these follow from mid-ranks, so the whole
computation costs one sort, O(n log n), instead of comparing every positive-negative pair.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from cmrbench.stats._validate import (
    StatsInputError,
    as_binary_labels,
    as_float_array,
    check_level,
    check_same_length,
    require_both_classes,
)
from numpy.typing import ArrayLike
from scipy.stats import norm


class AucCI(NamedTuple):
    """AUROC with the lower and upper bounds of its DeLong confidence interval."""

    auc: float
    lower: float
    upper: float


class DelongTestResult(NamedTuple):
    """Paired DeLong test of two AUROCs measured on the same studies (two-sided)."""

    auc_a: float
    auc_b: float
    z: float
    p_value: float


def _tie_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Indices where a new run of equal values begins in a sorted array."""
    return np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))


def _sorted_midranks(sorted_values: np.ndarray) -> np.ndarray:
    """Mid-ranks (1-based) of an already sorted array, in the same order."""
    starts = _tie_starts(sorted_values)
    ends = np.append(starts[1:], sorted_values.size)
    return np.repeat((starts + ends + 1) / 2.0, ends - starts)


def midranks(x: ArrayLike) -> np.ndarray:
    """1-based ranks of ``x`` in which tied values all get the mean of their ranks."""
    return _midranks(as_float_array(x, "x"))


def _midranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values)
    ranks = np.empty(values.size)
    ranks[order] = _sorted_midranks(values[order])
    return ranks


def _placements(positive: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Structural components of every study, in input order (Sun & Xu 2014).

    The mid-rank of a positive among all studies minus its mid-rank among positives counts
    the negatives below it (ties one half); dividing by the number of negatives gives V10.
    Symmetrically for negatives, whose component V01 is one minus that fraction.
    """
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    order = np.argsort(score)
    sorted_score = score[order]
    all_ranks = _sorted_midranks(sorted_score)
    pos = positive[order]
    neg = ~pos
    placement = np.empty(score.size)
    placement[order[pos]] = (all_ranks[pos] - _sorted_midranks(sorted_score[pos])) / n_neg
    placement[order[neg]] = 1.0 - (all_ranks[neg] - _sorted_midranks(sorted_score[neg])) / n_pos
    return placement


def _labels(y_true: ArrayLike, min_count: int) -> np.ndarray:
    positive = as_binary_labels(y_true, "y_true")
    require_both_classes(positive, "y_true", min_count=min_count)
    return positive


def _covariance(positive: np.ndarray, scores: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    placements = np.stack([_placements(positive, score) for score in scores])
    v10 = placements[:, positive]
    v01 = placements[:, ~positive]
    aucs = v10.mean(axis=1)
    cov = np.atleast_2d(np.cov(v10)) / v10.shape[1] + np.atleast_2d(np.cov(v01)) / v01.shape[1]
    return aucs, cov


def auroc(y_true: ArrayLike, y_score: ArrayLike) -> float:
    """Area under the ROC curve: the probability that a random positive outscores a random
    negative, ties counting one half (the Mann-Whitney statistic)."""
    positive = _labels(y_true, min_count=1)
    score = as_float_array(y_score, "y_score")
    check_same_length(y_true=positive, y_score=score)
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    rank_sum = float(_midranks(score)[positive].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def delong_covariance(y_true: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """AUROCs of several models scored on the same studies and their DeLong covariance.

    ``scores`` has shape [n_models, n_studies]. Returns ``(aucs, cov)`` with ``aucs`` of shape
    [n_models] and ``cov`` of shape [n_models, n_models] (DeLong et al. 1988, computed with the
    O(n log n) algorithm of Sun & Xu 2014). Needs at least two studies of each class.
    """
    positive = _labels(y_true, min_count=2)
    score_matrix = as_float_array(scores, "scores", ndim=2)
    check_same_length(y_true=positive, **{"each row of scores": score_matrix[0]})
    return _covariance(positive, list(score_matrix))


def delong_variance(y_true: ArrayLike, y_score: ArrayLike) -> tuple[float, float]:
    """AUROC and its DeLong variance, ``(auc, variance)``; see :func:`delong_covariance`."""
    positive = _labels(y_true, min_count=2)
    score = as_float_array(y_score, "y_score")
    check_same_length(y_true=positive, y_score=score)
    aucs, cov = _covariance(positive, [score])
    return float(aucs[0]), float(cov[0, 0])


def delong_ci(y_true: ArrayLike, y_score: ArrayLike, level: float = 0.95) -> AucCI:
    """AUROC with a Wald confidence interval from the DeLong variance, clipped to [0, 1]."""
    level = check_level(level)
    auc, variance = delong_variance(y_true, y_score)
    half_width = norm.ppf(0.5 + level / 2.0) * np.sqrt(variance)
    return AucCI(auc, float(max(0.0, auc - half_width)), float(min(1.0, auc + half_width)))


def delong_test(y_true: ArrayLike, score_a: ArrayLike, score_b: ArrayLike) -> DelongTestResult:
    """Paired two-sided DeLong test that two models have the same AUROC on the same studies.

    ``z = (auc_a - auc_b) / sqrt(var_a + var_b - 2 cov_ab)``. When that variance is zero, as for
    two models that rank every positive-negative pair alike, z = 0 and p = 1 if the AUROCs are
    equal, and z = +/-inf and p = 0 if they are not.
    """
    positive = _labels(y_true, min_count=2)
    a = as_float_array(score_a, "score_a")
    b = as_float_array(score_b, "score_b")
    check_same_length(y_true=positive, score_a=a, score_b=b)
    (auc_a, auc_b), cov = _covariance(positive, [a, b])
    variance = cov[0, 0] + cov[1, 1] - 2.0 * cov[0, 1]
    if variance <= 0.0:
        if auc_a == auc_b:
            return DelongTestResult(float(auc_a), float(auc_b), 0.0, 1.0)
        z = float(np.copysign(np.inf, auc_a - auc_b))
        return DelongTestResult(float(auc_a), float(auc_b), z, 0.0)
    z = (auc_a - auc_b) / np.sqrt(variance)
    return DelongTestResult(float(auc_a), float(auc_b), float(z), float(2.0 * norm.sf(abs(z))))


def _auroc_from_counts(y_true: ArrayLike, y_score: ArrayLike) -> Callable[[np.ndarray], np.ndarray]:
    """Prepare AUROC for many resamples of the same studies at once.

    Returns a function mapping a [n_studies, n_resamples] matrix of how often each study was
    drawn to the AUROC of every resample. The studies are sorted once; a resample's AUROC is
    then the weighted Mann-Whitney sum: each positive's weight times the weight of negatives
    scored below it plus half of those tied with it, read off a running sum over negatives.
    """
    positive = as_binary_labels(y_true, "y_true")
    score = as_float_array(y_score, "y_score")
    order = np.argsort(score)
    sorted_score = score[order]
    starts = _tie_starts(sorted_score)
    ends = np.append(starts[1:], score.size)
    pos_sorted = positive[order]
    # Negatives before each position in sorted order; for each positive, those before its
    # run of tied scores (strictly below it) and those up to the end of that run.
    negatives_before = np.concatenate(([0], np.cumsum(~pos_sorted)))
    below = negatives_before[np.repeat(starts, ends - starts)[pos_sorted]]
    through = negatives_before[np.repeat(ends, ends - starts)[pos_sorted]]
    pos_index = order[pos_sorted]
    neg_index = order[~pos_sorted]

    def evaluate(counts: np.ndarray) -> np.ndarray:
        pos_weight = counts[pos_index].astype(np.float64)
        neg_cumulative = np.zeros((neg_index.size + 1, counts.shape[1]))
        np.cumsum(counts[neg_index], axis=0, out=neg_cumulative[1:])
        n_pos = pos_weight.sum(axis=0)
        n_neg = neg_cumulative[-1]
        if not (n_pos > 0).all() or not (n_neg > 0).all():
            raise StatsInputError(
                "a bootstrap resample of y_true contains only one class, so its AUROC is "
                "undefined; pass stratify=y_true to keep both classes in every resample"
            )
        pairs = np.einsum("ij,ij->j", pos_weight, neg_cumulative[below] + neg_cumulative[through])
        return 0.5 * pairs / (n_pos * n_neg)

    return evaluate
