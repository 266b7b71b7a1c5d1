"""Metric builders tasks share: arrays from a predictions table -> :class:`Metric` values.

Every interval comes from :mod:`cmrbench.stats`: DeLong for AUROC, a bootstrap that resamples
patients (not studies) for everything else, so a patient scanned twice does not narrow it.
Inside :func:`point_estimates` the same builders return the point values alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from typing import Any

import numpy as np
from cmrbench import stats
from cmrbench.task import Metric
from numpy.typing import ArrayLike

BOOTSTRAP = "bootstrap-by-patient"
RESAMPLES = 2000
POINT = "point estimate"
_INTERVALS: ContextVar[bool] = ContextVar("cmrbench_intervals", default=True)


@contextmanager
def point_estimates() -> Iterator[None]:
    """Within this block every metric is its point value, without an interval.

    A paired bootstrap scores a task's :meth:`~cmrbench.task.Task.metrics` once per resample;
    nested intervals there would cost thousands of resamples each and are never read.
    """
    token = _INTERVALS.set(False)
    try:
        yield
    finally:
        _INTERVALS.reset(token)


def bootstrapped(metric: Any, *arrays: ArrayLike, patients: ArrayLike,
                 stratify: ArrayLike | None = None) -> Metric:
    """``metric(*arrays)`` with a 95 % percentile interval over patient resamples.

    When some resample leaves the metric undefined (a constant column in a tiny test set),
    the point value is kept and the interval is left out, saying why.
    """
    n = len(np.asarray(arrays[0]))
    if not _INTERVALS.get():
        return Metric(float(metric(*arrays)), method=POINT, n=n)
    try:
        result = stats.bootstrap_ci(metric, *arrays, groups=patients, stratify=stratify,
                                    n_resamples=RESAMPLES, seed=0)
    except stats.StatsInputError as exc:
        return Metric(float(metric(*arrays)), method=f"no interval: {exc}", n=n)
    return Metric(result.estimate, result.lower, result.upper, BOOTSTRAP, n)


def regression(truth: ArrayLike, pred: ArrayLike, patients: ArrayLike,
               prefix: str = "") -> dict[str, Metric]:
    """MAE, MSE, RMSE and Pearson r (patient-bootstrap intervals) and Bland-Altman agreement.

    ``bias`` is mean(pred - truth); ``loa_lower``/``loa_upper`` its 95 % limits of agreement.
    """
    truth, pred = np.asarray(truth, np.float64), np.asarray(pred, np.float64)
    n = truth.size
    out = {f"{prefix}{name}": bootstrapped(fn, truth, pred, patients=patients)
           for name, fn in (("mae", stats.mae), ("mse", stats.mse), ("rmse", stats.rmse))}
    out[f"{prefix}pearson_r"] = (bootstrapped(stats.pearson_r, truth, pred, patients=patients)
                                 if n > 2 and np.ptp(truth) > 0 and np.ptp(pred) > 0
                                 else Metric(float("nan"), method="undefined: constant values",
                                             n=n))
    agreement = stats.bland_altman(truth, pred) if n > 1 else None
    if agreement is not None:
        out[f"{prefix}bias"] = Metric(agreement.bias, n=n)
        out[f"{prefix}loa_lower"] = Metric(agreement.lower, n=n)
        out[f"{prefix}loa_upper"] = Metric(agreement.upper, n=n)
    return out


def auroc(truth: ArrayLike, score: ArrayLike) -> Metric:
    """AUROC with its DeLong 95 % interval; NaN (and why) when a class has under two studies."""
    truth = np.asarray(truth).astype(bool)
    n_pos, n = int(truth.sum()), truth.size
    if min(n_pos, n - n_pos) < 2:
        return Metric(float("nan"), method=f"undefined: {n_pos} positive and {n - n_pos} "
                                           "negative studies (DeLong needs 2 of each)", n=n)
    if not _INTERVALS.get():
        return Metric(stats.auroc(truth, score), method=POINT, n=n)
    result = stats.delong_ci(truth, score)
    return Metric(result.auc, result.lower, result.upper, "delong", n)


def operating_points(truth: ArrayLike, score: ArrayLike) -> dict[str, Any]:
    """Accuracy, sensitivity and specificity at Youden's optimum, sensitivity 0.9 and
    specificity 0.9 (SPEC §5); empty when a class is missing."""
    truth = np.asarray(truth).astype(bool)
    if truth.all() or not truth.any():
        return {}
    return {"youden": asdict(stats.youden_threshold(truth, score)),
            "sensitivity_0.90": asdict(stats.threshold_at_sensitivity(truth, score)),
            "specificity_0.90": asdict(stats.threshold_at_specificity(truth, score))}


def mean_metric(metrics: list[Metric], method: str) -> Metric:
    """The mean of several metrics' values over those that are defined (e.g. macro AUROC)."""
    values = [m.value for m in metrics if np.isfinite(m.value)]
    if not values:
        return Metric(float("nan"), method=f"undefined: {method} of no defined value")
    return Metric(float(np.mean(values)), method=f"{method} of {len(values)}",
                  n=max(m.n for m in metrics))
