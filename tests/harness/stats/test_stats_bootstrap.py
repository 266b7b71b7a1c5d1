"""Percentile bootstrap intervals that resample patients and keep every class.

References: the DeLong and analytic standard errors, the one-resample-at-a-time path, and the
resamples themselves, inspected study by study.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from cmrbench.stats import (
    StatsInputError,
    auroc,
    bootstrap_ci,
    bootstrap_p_value,
    delong_variance,
    mae,
    mse,
    pearson_r,
    resample_indices,
    rmse,
)


def classification(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, np.round(rng.normal(size=n) + y, 1)


def regression(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.normal(60, 10, n)
    return truth, truth + rng.normal(0, 5, n)


def test_estimate_is_the_metric_on_all_studies_and_lies_in_the_interval() -> None:
    y, s = classification(0, 400)
    result = bootstrap_ci(auroc, y, s, stratify=y, n_resamples=500)
    assert result.estimate == auroc(y, s)
    assert result.lower < result.estimate < result.upper
    assert result.n_resamples == 500
    assert result.level == 0.95


def test_interval_bounds_are_percentiles_of_the_replicates() -> None:
    truth, pred = regression(1, 200)
    result = bootstrap_ci(pearson_r, truth, pred, n_resamples=300, level=0.9)
    expected = np.quantile(result.replicates, [0.05, 0.95])
    np.testing.assert_allclose([result.lower, result.upper], expected)
    assert result.std_error == pytest.approx(np.std(result.replicates, ddof=1))


def test_auroc_standard_error_agrees_with_delong() -> None:
    y, s = classification(2, 2000)
    result = bootstrap_ci(auroc, y, s, stratify=y, n_resamples=2000)
    _, variance = delong_variance(y, s)
    assert result.std_error == pytest.approx(np.sqrt(variance), rel=0.1)


def test_mae_standard_error_agrees_with_the_analytic_one() -> None:
    truth, pred = regression(3, 2000)
    result = bootstrap_ci(mae, truth, pred, n_resamples=2000)
    errors = np.abs(pred - truth)
    assert result.std_error == pytest.approx(errors.std(ddof=1) / np.sqrt(errors.size), rel=0.1)


@pytest.mark.parametrize("metric", [auroc, mae, mse, rmse])
def test_vectorised_metrics_equal_one_resample_at_a_time(metric) -> None:
    data = classification(4, 300) if metric is auroc else regression(4, 300)
    groups = np.random.default_rng(4).integers(0, 120, 300)
    kwargs = {"groups": groups, "stratify": data[0] if metric is auroc else None}
    fast = bootstrap_ci(metric, *data, n_resamples=200, seed=7, **kwargs)
    slow = bootstrap_ci(lambda *a: metric(*a), *data, n_resamples=200, seed=7, **kwargs)
    np.testing.assert_allclose(fast.replicates, slow.replicates, rtol=0, atol=1e-12)


def test_same_seed_reproduces_and_another_seed_differs() -> None:
    truth, pred = regression(5, 100)
    first = bootstrap_ci(mae, truth, pred, n_resamples=100, seed=1)
    again = bootstrap_ci(mae, truth, pred, n_resamples=100, seed=1)
    other = bootstrap_ci(mae, truth, pred, n_resamples=100, seed=2)
    np.testing.assert_array_equal(first.replicates, again.replicates)
    assert not np.array_equal(first.replicates, other.replicates)


def test_narrower_level_gives_a_narrower_interval() -> None:
    truth, pred = regression(6, 200)
    wide = bootstrap_ci(mae, truth, pred, n_resamples=400, level=0.95)
    narrow = bootstrap_ci(mae, truth, pred, n_resamples=400, level=0.5)
    assert wide.lower < narrow.lower < narrow.upper < wide.upper


def recorded_resamples(*arrays: np.ndarray, **kwargs) -> list[list[np.ndarray]]:
    seen: list[list[np.ndarray]] = []

    def record(*resampled: np.ndarray) -> float:
        seen.append([a.copy() for a in resampled])
        return 0.0

    bootstrap_ci(record, *arrays, n_resamples=50, **kwargs)
    return seen[1:]  # the first call is the estimate on all studies


def test_groups_resample_whole_patients() -> None:
    rng = np.random.default_rng(8)
    patient = np.repeat(np.arange(30), rng.integers(1, 5, 30))  # 1-4 studies per patient
    study = np.arange(patient.size)
    for drawn_patients, drawn_studies in recorded_resamples(patient, study, groups=patient):
        times = Counter(drawn_studies.tolist())
        # Every study of a drawn patient appears exactly as often as the patient was drawn.
        for p, k in Counter(drawn_patients.tolist()).items():
            members = study[patient == p]
            assert all(times[s] * members.size == k for s in members)
        assert sum(Counter(drawn_patients.tolist()).values()) == drawn_studies.size
        # 30 patients are drawn: count draws of each patient through its first study.
        assert sum(times[study[patient == p][0]] for p in range(30)) == 30


def test_stratify_keeps_class_counts_of_studies() -> None:
    y = np.array([1] + [0] * 19)  # without stratification a resample would often lose the 1
    for (labels,) in recorded_resamples(y, stratify=y):
        assert labels.sum() == 1
        assert labels.size == 20


def test_stratify_with_groups_keeps_every_class_in_every_resample() -> None:
    # Patient 0 has the only positive study; patient 1 has a positive and a negative.
    patient = np.array([0, 1, 1, 2, 3, 4, 5, 6, 7, 8])
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    for labels, drawn in recorded_resamples(y, patient, groups=patient, stratify=y):
        assert 0 < labels.sum() < labels.size
        patients = Counter(drawn.tolist())
        # Pure-positive, mixed and pure-negative patients are each drawn as often as they exist.
        assert patients[0] == 1
        assert patients[1] == 2  # patient 1 has two studies, drawn once
        assert sum(k for p, k in patients.items() if p >= 2) == 7


def test_duplicated_studies_of_one_patient_do_not_narrow_the_interval() -> None:
    # Each patient scanned twice with identical results: resampling patients must give the
    # same replicates as resampling the de-duplicated studies.
    y, s = classification(9, 200)
    patient = np.arange(200)
    single = bootstrap_ci(auroc, y, s, stratify=y, n_resamples=300, seed=3)
    doubled = bootstrap_ci(
        auroc,
        np.repeat(y, 2),
        np.repeat(s, 2),
        groups=np.repeat(patient, 2),
        stratify=np.repeat(y, 2),
        n_resamples=300,
        seed=3,
    )
    np.testing.assert_allclose(doubled.replicates, single.replicates, rtol=0, atol=1e-12)


def test_losing_a_class_without_stratify_is_an_error_that_says_what_to_do() -> None:
    y = np.array([1] + [0] * 19)
    s = np.arange(20.0)
    with pytest.raises(StatsInputError, match="pass stratify=y_true"):
        bootstrap_ci(auroc, y, s, n_resamples=200)
    with pytest.raises(StatsInputError, match=r"resample \d+: y_true contains only class 0"):
        bootstrap_ci(lambda a, b: auroc(a, b), y, s, n_resamples=200)


def test_invalid_arguments_are_rejected() -> None:
    y, s = classification(10, 20)
    with pytest.raises(StatsInputError, match="n_resamples must be an integer >= 2"):
        bootstrap_ci(auroc, y, s, n_resamples=1)
    with pytest.raises(StatsInputError, match="level must lie strictly between 0 and 1"):
        bootstrap_ci(auroc, y, s, level=1.0)
    with pytest.raises(StatsInputError, match=r"arrays\[0\] has 20, arrays\[1\] has 19"):
        bootstrap_ci(auroc, y, s[:-1])
    with pytest.raises(StatsInputError, match="groups must have one entry per study"):
        bootstrap_ci(auroc, y, s, groups=np.arange(5))
    with pytest.raises(StatsInputError, match="stratify must be 1-dimensional"):
        bootstrap_ci(auroc, y, s, stratify=np.zeros((20, 2)))
    with pytest.raises(StatsInputError, match="pass the metric's inputs"):
        bootstrap_ci(auroc)
    with pytest.raises(StatsInputError, match=r"arrays\[0\] is empty"):
        bootstrap_ci(len, [])


def test_resample_indices_are_the_draws_bootstrap_ci_makes():
    values = np.random.default_rng(4).normal(size=23)
    patients = np.repeat(np.arange(8), [3, 3, 3, 3, 3, 3, 3, 2])
    result = bootstrap_ci(lambda x: float(np.median(x)), values, groups=patients,
                          n_resamples=300, seed=9)
    indices = list(resample_indices(23, groups=patients, n_resamples=300, seed=9))
    np.testing.assert_array_equal(result.replicates,
                                  [np.median(values[i]) for i in indices])


def test_resample_indices_keep_each_patients_studies_together():
    patients = np.array([0, 0, 0, 1, 2, 2, 3])
    for index in resample_indices(7, groups=patients, n_resamples=50, seed=0):
        drawn = np.bincount(index, minlength=7)
        for patient in range(4):
            assert len(set(drawn[patients == patient])) == 1  # all or none, equally often
        assert len(np.unique(patients[index], return_counts=True)[1]) <= 4


@pytest.mark.parametrize(("replicates", "expected"), [
    ([1.0, 2.0, 3.0], 2 * 1 / 4),          # none at or below 0: (0 + 1) / (3 + 1), twice
    ([-1.0, 1.0, -2.0, 2.0], 1.0),         # symmetric about 0: capped at 1
    ([0.5, np.nan, -0.5, 1.5], 2 * 2 / 4),  # NaN left out: 1 of 3 at or below 0
    ([np.nan], np.nan),
])
def test_bootstrap_p_value_counts_both_tails_and_never_reaches_zero(replicates, expected):
    """Davison & Hinkley (1997), eq. 4.11: p = (1 + #{t* beyond}) / (R + 1) per tail."""
    np.testing.assert_equal(bootstrap_p_value(replicates), expected)
