"""The empirical ROC curve and the operating points read off it.

A study is called positive when its score is at or above the threshold. Candidate thresholds
are the distinct scores plus ``+inf`` (nothing called positive), as in scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
from cmrbench.stats._validate import (
    StatsInputError,
    as_binary_labels,
    as_float_array,
    check_same_length,
    require_both_classes,
)
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class RocCurve:
    """False- and true-positive rates at each threshold, thresholds in decreasing order."""

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray


@dataclass(frozen=True)
class ThresholdMetrics:
    """Operating point of a binary classifier at ``threshold`` (score >= threshold is positive).

    PPV (NPV) is ``nan`` when no study is called positive (negative).
    """

    threshold: float
    accuracy: float
    sensitivity: float
    specificity: float
    ppv: float
    npv: float


@dataclass(frozen=True)
class _OperatingPoints:
    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_pos: int
    n_neg: int

    def metrics(self, i: int) -> ThresholdMetrics:
        return _metrics(
            float(self.thresholds[i]), int(self.tp[i]), int(self.fp[i]), self.n_pos, self.n_neg
        )


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _metrics(threshold: float, tp: int, fp: int, n_pos: int, n_neg: int) -> ThresholdMetrics:
    fn = n_pos - tp
    tn = n_neg - fp
    return ThresholdMetrics(
        threshold=threshold,
        accuracy=(tp + tn) / (n_pos + n_neg),
        sensitivity=tp / n_pos,
        specificity=tn / n_neg,
        ppv=_ratio(tp, tp + fp),
        npv=_ratio(tn, tn + fn),
    )


def _inputs(y_true: ArrayLike, y_score: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    positive = as_binary_labels(y_true, "y_true")
    require_both_classes(positive, "y_true")
    score = as_float_array(y_score, "y_score")
    check_same_length(y_true=positive, y_score=score)
    return positive, score


def _operating_points(y_true: ArrayLike, y_score: ArrayLike) -> _OperatingPoints:
    positive, score = _inputs(y_true, y_score)
    order = np.argsort(score)[::-1]
    sorted_score = score[order]
    # Last position of each run of tied scores: every tied study switches class together.
    run_ends = np.flatnonzero(np.append(sorted_score[1:] != sorted_score[:-1], True))
    tp = np.cumsum(positive[order])[run_ends]
    fp = run_ends + 1 - tp
    n_pos = int(positive.sum())
    return _OperatingPoints(
        thresholds=np.concatenate(([np.inf], sorted_score[run_ends])),
        tp=np.concatenate(([0], tp)),
        fp=np.concatenate(([0], fp)),
        n_pos=n_pos,
        n_neg=positive.size - n_pos,
    )


def _check_rate(value: float, name: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise StatsInputError(f"{name} must lie in [0, 1], but it is {value!r}; pass e.g. 0.9")
    return float(value)


def roc_curve(y_true: ArrayLike, y_score: ArrayLike) -> RocCurve:
    """Empirical ROC curve with one point per distinct score, starting at (0, 0) for +inf."""
    points = _operating_points(y_true, y_score)
    return RocCurve(
        fpr=points.fp / points.n_neg, tpr=points.tp / points.n_pos, thresholds=points.thresholds
    )


def threshold_metrics(y_true: ArrayLike, y_score: ArrayLike, threshold: float) -> ThresholdMetrics:
    """Operating point at a fixed threshold, e.g. one chosen on a validation split."""
    if not isinstance(threshold, Real) or np.isnan(threshold):
        raise StatsInputError(f"threshold must be a number, but it is {threshold!r}")
    positive, score = _inputs(y_true, y_score)
    called = score >= threshold
    n_pos = int(positive.sum())
    return _metrics(
        float(threshold),
        int((called & positive).sum()),
        int((called & ~positive).sum()),
        n_pos,
        positive.size - n_pos,
    )


def youden_threshold(y_true: ArrayLike, y_score: ArrayLike) -> ThresholdMetrics:
    """Operating point maximising Youden's J = sensitivity + specificity - 1.

    Among thresholds with equal J the highest is chosen.
    """
    points = _operating_points(y_true, y_score)
    youden = points.tp / points.n_pos - points.fp / points.n_neg
    return points.metrics(int(np.argmax(youden)))


def threshold_at_sensitivity(
    y_true: ArrayLike, y_score: ArrayLike, min_sensitivity: float = 0.90
) -> ThresholdMetrics:
    """Operating point with the best specificity among those with sensitivity >= target
    (a rule-out operating point); among equally specific ones, the most sensitive."""
    target = _check_rate(min_sensitivity, "min_sensitivity")
    points = _operating_points(y_true, y_score)
    # Specificity falls as the threshold falls, so the first qualifying point is the most
    # specific; later points with the same false positives only add true positives.
    first = int(np.argmax(points.tp / points.n_pos >= target))
    return points.metrics(int(np.searchsorted(points.fp, points.fp[first], side="right")) - 1)


def threshold_at_specificity(
    y_true: ArrayLike, y_score: ArrayLike, min_specificity: float = 0.90
) -> ThresholdMetrics:
    """Operating point with the best sensitivity among those with specificity >= target
    (a rule-in operating point); among equally sensitive ones, the most specific."""
    target = _check_rate(min_specificity, "min_specificity")
    points = _operating_points(y_true, y_score)
    # Sensitivity rises as the threshold falls, so the last qualifying point is the most
    # sensitive; earlier points with the same true positives have fewer false positives.
    last = int(np.flatnonzero((points.n_neg - points.fp) / points.n_neg >= target)[-1])
    return points.metrics(int(np.searchsorted(points.tp, points.tp[last], side="left")))
