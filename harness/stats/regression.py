"""Agreement between predicted and reference measurements (e.g. ejection fraction, volumes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from cmrbench.stats._validate import StatsInputError, as_float_array, check_same_length
from numpy.typing import ArrayLike

# Multiplier of the SD for 95 % limits of agreement (Bland & Altman 1986).
_LOA_Z = 1.96


@dataclass(frozen=True)
class BlandAltman:
    """Bland-Altman agreement of ``y_pred`` with ``y_true``.

    ``bias`` is the mean of ``y_pred - y_true`` (positive: the model over-estimates), ``sd`` the
    sample standard deviation of those differences, and ``lower``/``upper`` the 95 % limits
    of agreement ``bias -/+ 1.96 sd``.
    """

    bias: float
    sd: float
    lower: float
    upper: float


def _pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    truth = as_float_array(y_true, "y_true")
    pred = as_float_array(y_pred, "y_pred")
    check_same_length(y_true=truth, y_pred=pred)
    return truth, pred


def _require_varying(values: np.ndarray, name: str, statistic: str) -> None:
    if np.ptp(values) == 0:
        raise StatsInputError(
            f"{name} is constant ({values[0]:g} for all {values.size} studies), so {statistic} "
            "is undefined; score a sample in which it varies"
        )


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error."""
    truth, pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(pred - truth)))


def mse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean squared error."""
    truth, pred = _pair(y_true, y_pred)
    return float(np.mean((pred - truth) ** 2))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error, in the units of the measurement."""
    return float(np.sqrt(mse(y_true, y_pred)))


def pearson_r(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Pearson correlation coefficient; undefined (an error) when either input is constant."""
    truth, pred = _pair(y_true, y_pred)
    _require_varying(truth, "y_true", "Pearson r")
    _require_varying(pred, "y_pred", "Pearson r")
    dt = truth - truth.mean()
    dp = pred - pred.mean()
    r = np.dot(dt, dp) / np.sqrt(np.dot(dt, dt) * np.dot(dp, dp))
    return float(np.clip(r, -1.0, 1.0))


def r2(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot; undefined when y_true is constant."""
    truth, pred = _pair(y_true, y_pred)
    _require_varying(truth, "y_true", "R²")
    ss_res = np.sum((truth - pred) ** 2)
    ss_tot = np.sum((truth - truth.mean()) ** 2)
    return float(1.0 - ss_res / ss_tot)


def bland_altman(y_true: ArrayLike, y_pred: ArrayLike) -> BlandAltman:
    """Bias and 95 % limits of agreement of ``y_pred`` against ``y_true`` (Bland & Altman 1986)."""
    truth, pred = _pair(y_true, y_pred)
    if truth.size < 2:
        raise StatsInputError(
            "y_true has 1 study; Bland-Altman limits need at least 2 to estimate the SD"
        )
    diff = pred - truth
    bias = float(diff.mean())
    sd = float(diff.std(ddof=1))
    return BlandAltman(bias=bias, sd=sd, lower=bias - _LOA_Z * sd, upper=bias + _LOA_Z * sd)
