"""Regression agreement: MAE, MSE, RMSE, Pearson r, R² and Bland-Altman limits.

References: scikit-learn, SciPy and hand-computed values.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from cmrbench.stats import StatsInputError, bland_altman, mae, mse, pearson_r, r2, rmse
from scipy.stats import pearsonr
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score


@pytest.fixture
def volumes() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    truth = rng.normal(150, 40, size=500)  # end-diastolic volumes in ml
    return truth, truth + rng.normal(5, 12, size=500)


def test_errors_equal_sklearn(volumes: tuple[np.ndarray, np.ndarray]) -> None:
    truth, pred = volumes
    assert mae(truth, pred) == pytest.approx(mean_absolute_error(truth, pred), rel=1e-12)
    assert mse(truth, pred) == pytest.approx(mean_squared_error(truth, pred), rel=1e-12)
    assert rmse(truth, pred) == pytest.approx(np.sqrt(mean_squared_error(truth, pred)), rel=1e-12)
    assert r2(truth, pred) == pytest.approx(r2_score(truth, pred), rel=1e-12)


def test_pearson_r_equals_scipy(volumes: tuple[np.ndarray, np.ndarray]) -> None:
    truth, pred = volumes
    assert pearson_r(truth, pred) == pytest.approx(pearsonr(truth, pred)[0], rel=1e-12)


def test_perfect_linear_relation_has_r_of_exactly_one() -> None:
    assert pearson_r([1, 2, 3], [10, 20, 30]) == 1.0
    assert pearson_r([1, 2, 3], [3, 2, 1]) == -1.0


def test_hand_computed_errors() -> None:
    assert mae([1, 2, 3], [2, 2, 5]) == 1.0
    assert mse([1, 2, 3], [2, 2, 5]) == 5 / 3
    assert r2([1, 2, 3], [1, 2, 4]) == 0.5  # SS_res 1, SS_tot 2


def test_bland_altman_hand_computed() -> None:
    # Differences y_pred - y_true = [1, 0, 2, 0]: bias 0.75.
    result = bland_altman([1, 2, 3, 4], [2, 2, 5, 4])
    sd = statistics.stdev([1, 0, 2, 0])
    assert result.bias == 0.75
    assert result.sd == pytest.approx(sd, rel=1e-12)
    assert result.lower == pytest.approx(0.75 - 1.96 * sd, rel=1e-12)
    assert result.upper == pytest.approx(0.75 + 1.96 * sd, rel=1e-12)


def test_bland_altman_bias_sign_means_over_estimation(
    volumes: tuple[np.ndarray, np.ndarray],
) -> None:
    truth, pred = volumes
    assert bland_altman(truth, pred).bias == pytest.approx(np.mean(pred - truth), rel=1e-12)
    assert bland_altman(truth, pred).bias > 0


def test_constant_inputs_make_correlation_and_r2_undefined() -> None:
    with pytest.raises(StatsInputError, match="y_pred is constant .* Pearson r is undefined"):
        pearson_r([1, 2, 3], [5, 5, 5])
    with pytest.raises(StatsInputError, match="y_true is constant .* R² is undefined"):
        r2([4, 4, 4], [1, 2, 3])


def test_bland_altman_needs_two_studies() -> None:
    with pytest.raises(StatsInputError, match="at least 2"):
        bland_altman([1.0], [2.0])


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(StatsInputError, match="y_true has 3, y_pred has 2"):
        mae([1, 2, 3], [1, 2])
    with pytest.raises(StatsInputError, match=r"y_pred has 2 NaN values at indices \[0, 2\]"):
        rmse([1, 2, 3], [np.nan, 2, np.nan])
    with pytest.raises(StatsInputError, match="y_true has 1 infinite values"):
        mse([1, np.inf], [1, 2])
    with pytest.raises(StatsInputError, match="y_pred must be numeric"):
        mae([1, 2], ["a", "b"])
