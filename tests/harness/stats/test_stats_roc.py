"""Empirical ROC curve and operating points (Youden, sensitivity >= 0.9, specificity >= 0.9).

References: scikit-learn's roc_curve and confusion_matrix, and a brute-force search over every
candidate threshold that counts the confusion matrix directly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from cmrbench.stats import (
    StatsInputError,
    ThresholdMetrics,
    roc_curve,
    threshold_at_sensitivity,
    threshold_at_specificity,
    threshold_metrics,
    youden_threshold,
)
from sklearn.metrics import confusion_matrix
from sklearn.metrics import roc_curve as sk_roc_curve


def brute_force_points(y: np.ndarray, s: np.ndarray) -> list[ThresholdMetrics]:
    """Operating point at every distinct score and at +inf, counted study by study."""
    points = []
    for t in [np.inf, *np.unique(s)[::-1]]:
        tp = sum(1 for yi, si in zip(y, s, strict=True) if si >= t and yi == 1)
        fp = sum(1 for yi, si in zip(y, s, strict=True) if si >= t and yi == 0)
        fn = sum(1 for yi, si in zip(y, s, strict=True) if si < t and yi == 1)
        tn = sum(1 for yi, si in zip(y, s, strict=True) if si < t and yi == 0)
        points.append(
            ThresholdMetrics(
                threshold=float(t),
                accuracy=(tp + tn) / len(y),
                sensitivity=tp / (tp + fn),
                specificity=tn / (tn + fp),
                ppv=tp / (tp + fp) if tp + fp else math.nan,
                npv=tn / (tn + fn) if tn + fn else math.nan,
            )
        )
    return points


def assert_same_point(actual: ThresholdMetrics, expected: ThresholdMetrics) -> None:
    for field in ("threshold", "accuracy", "sensitivity", "specificity", "ppv", "npv"):
        a, e = getattr(actual, field), getattr(expected, field)
        assert (math.isnan(a) and math.isnan(e)) or a == pytest.approx(e, abs=1e-12), field


def case(seed: int, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    return y, np.round(rng.normal(size=n) + 1.2 * y, 1)  # rounded: many ties


SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
def test_roc_curve_equals_sklearn(seed: int) -> None:
    y, s = case(seed)
    curve = roc_curve(y, s)
    fpr, tpr, thresholds = sk_roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(curve.fpr, fpr, rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve.tpr, tpr, rtol=0, atol=1e-12)
    assert curve.thresholds[0] == np.inf
    np.testing.assert_array_equal(curve.thresholds[1:], thresholds[1:])


@pytest.mark.parametrize("seed", SEEDS)
def test_youden_maximises_j_and_prefers_the_highest_threshold(seed: int) -> None:
    y, s = case(seed)
    points = brute_force_points(y, s)
    best = max(p.sensitivity + p.specificity for p in points)
    expected = next(p for p in points if p.sensitivity + p.specificity == best)
    assert_same_point(youden_threshold(y, s), expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_sensitivity_target_maximises_specificity_then_sensitivity(seed: int) -> None:
    y, s = case(seed)
    eligible = [p for p in brute_force_points(y, s) if p.sensitivity >= 0.9]
    expected = max(eligible, key=lambda p: (p.specificity, p.sensitivity))
    result = threshold_at_sensitivity(y, s)
    assert_same_point(result, expected)
    assert result.sensitivity >= 0.9


@pytest.mark.parametrize("seed", SEEDS)
def test_specificity_target_maximises_sensitivity_then_specificity(seed: int) -> None:
    y, s = case(seed)
    eligible = [p for p in brute_force_points(y, s) if p.specificity >= 0.9]
    expected = max(eligible, key=lambda p: (p.sensitivity, p.specificity))
    result = threshold_at_specificity(y, s)
    assert_same_point(result, expected)
    assert result.specificity >= 0.9


def test_targets_are_met_exactly_at_the_boundary() -> None:
    # Positives score 10..19 and one negative 10.5 sits below the 9th highest positive, so
    # the threshold 11 gives sensitivity exactly 0.9 with every negative below it.
    y = np.array([1] * 10 + [0] * 10)
    s = np.concatenate([np.arange(10, 20), np.arange(0, 9) + 0.5, [10.5]])
    result = threshold_at_sensitivity(y, s, min_sensitivity=0.9)
    assert (result.threshold, result.sensitivity, result.specificity) == (11.0, 0.9, 1.0)


def test_threshold_metrics_equal_sklearn_confusion_matrix() -> None:
    y, s = case(9)
    result = threshold_metrics(y, s, threshold=0.5)
    tn, fp, fn, tp = confusion_matrix(y, s >= 0.5).ravel()
    assert result.sensitivity == tp / (tp + fn)
    assert result.specificity == tn / (tn + fp)
    assert result.ppv == tp / (tp + fp)
    assert result.npv == tn / (tn + fn)
    assert result.accuracy == (tp + tn) / len(y)


def test_ppv_is_nan_when_nothing_is_called_positive() -> None:
    # The highest score is a negative and there are only 5 negatives, so specificity >= 0.9
    # is reached only by calling nothing positive.
    result = threshold_at_specificity([0, 0, 0, 0, 0, 1, 1], [9, 1, 2, 3, 4, 5, 6])
    assert result.threshold == np.inf
    assert (result.sensitivity, result.specificity) == (0.0, 1.0)
    assert math.isnan(result.ppv)
    assert result.npv == 5 / 7


def test_operating_points_are_frozen() -> None:
    result = youden_threshold([0, 1], [0.2, 0.8])
    with pytest.raises(AttributeError):
        result.threshold = 0.0  # type: ignore[misc]


def test_invalid_targets_and_thresholds_are_rejected() -> None:
    with pytest.raises(StatsInputError, match="min_sensitivity must lie in"):
        threshold_at_sensitivity([0, 1], [0.2, 0.8], min_sensitivity=90)
    with pytest.raises(StatsInputError, match="min_specificity must lie in"):
        threshold_at_specificity([0, 1], [0.2, 0.8], min_specificity=-0.1)
    with pytest.raises(StatsInputError, match="threshold must be a number"):
        threshold_metrics([0, 1], [0.2, 0.8], threshold=float("nan"))


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(StatsInputError, match="y_true contains only class 1"):
        roc_curve([1, 1], [0.2, 0.8])
    with pytest.raises(StatsInputError, match="y_true has 2, y_score has 3"):
        youden_threshold([0, 1], [0.2, 0.8, 0.9])
    with pytest.raises(StatsInputError, match="y_score has 1 NaN values"):
        roc_curve([0, 1], [np.nan, 0.8])
    with pytest.raises(StatsInputError, match="only the labels 0 and 1"):
        roc_curve([0, -1], [0.2, 0.8])
