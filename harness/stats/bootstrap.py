"""Percentile bootstrap confidence intervals for any metric.

Studies of one patient are correlated, so when ``groups`` (patient ids) is given whole
patients are resampled rather than studies. With ``stratify`` (e.g. the labels) every
resample keeps the original number of patients in each stratum, so no resample loses a
class. A resample is represented by how often each study was drawn; AUROC, MAE, MSE and RMSE
are evaluated on all resamples at once from those counts, any other metric one resample at
a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from cmrbench.stats._validate import StatsInputError, check_level, check_same_length
from cmrbench.stats.auroc import _auroc_from_counts, auroc
from cmrbench.stats.regression import mae, mse, rmse
from numpy.typing import ArrayLike

# Cap on the entries of one [studies, resamples] count matrix, to bound memory.
_CHUNK_ENTRIES = 2**22


@dataclass(frozen=True)
class BootstrapResult:
    """Point estimate on the full data and percentile interval over the resamples.

    ``std_error`` is the standard deviation of ``replicates``, the metric on each resample.
    """

    estimate: float
    lower: float
    upper: float
    level: float
    std_error: float
    replicates: np.ndarray = field(repr=False, compare=False)

    @property
    def n_resamples(self) -> int:
        """Number of bootstrap resamples behind the interval."""
        return int(self.replicates.size)


def _mean_from_counts(per_study: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda counts: per_study @ counts / counts.sum(axis=0)


def _errors(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    return np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)


def _mae_from_counts(y_true: ArrayLike, y_pred: ArrayLike) -> Callable[[np.ndarray], np.ndarray]:
    return _mean_from_counts(np.abs(_errors(y_true, y_pred)))


def _mse_from_counts(y_true: ArrayLike, y_pred: ArrayLike) -> Callable[[np.ndarray], np.ndarray]:
    return _mean_from_counts(_errors(y_true, y_pred) ** 2)


def _rmse_from_counts(y_true: ArrayLike, y_pred: ArrayLike) -> Callable[[np.ndarray], np.ndarray]:
    mean_square = _mse_from_counts(y_true, y_pred)
    return lambda counts: np.sqrt(mean_square(counts))


# Metrics that can score many resamples in one pass: metric -> (arrays -> (counts -> values)).
_FROM_COUNTS: dict[Callable[..., float], Callable[..., Callable[[np.ndarray], np.ndarray]]] = {
    auroc: _auroc_from_counts,
    mae: _mae_from_counts,
    mse: _mse_from_counts,
    rmse: _rmse_from_counts,
}


def _codes(values: ArrayLike, name: str, n: int) -> np.ndarray:
    """Integer code 0..k-1 of each study's value (patient id, stratum label)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise StatsInputError(
            f"{name} must be 1-dimensional with one entry per study, but it has shape {arr.shape}"
        )
    if arr.size != n:
        raise StatsInputError(
            f"{name} must have one entry per study, but it has {arr.size} and the arrays "
            f"have {n}; pass arrays of the same length"
        )
    return np.unique(arr, return_inverse=True)[1].reshape(-1)


def _strata(cluster: np.ndarray, stratify: ArrayLike | None, n: int) -> list[np.ndarray]:
    """Clusters of each stratum. A patient's stratum is the set of labels among its studies,
    so resampling each stratum at its own size keeps every label in every resample."""
    n_clusters = int(cluster.max()) + 1
    if stratify is None:
        return [np.arange(n_clusters)]
    label = _codes(stratify, "stratify", n)
    membership = np.zeros((n_clusters, int(label.max()) + 1), dtype=bool)
    membership[cluster, label] = True
    stratum = np.unique(membership, axis=0, return_inverse=True)[1].reshape(-1)
    return [np.flatnonzero(stratum == s) for s in range(int(stratum.max()) + 1)]


def _draw_counts(
    rng: np.random.Generator, strata: list[np.ndarray], n_clusters: int, n_draws: int
) -> np.ndarray:
    """[n_clusters, n_draws] counts: each stratum's clusters drawn with replacement."""
    counts = np.empty((n_clusters, n_draws), dtype=np.int64)
    for members in strata:
        size = members.size
        # Row r holds the clusters drawn for resample r; flat index = cluster * n_draws + r.
        picks = rng.integers(0, size, size=(n_draws, size)) * n_draws
        picks += np.arange(n_draws)[:, None]
        counts[members] = np.bincount(picks.ravel(), minlength=size * n_draws).reshape(
            size, n_draws
        )
    return counts


def _score(
    metric: Callable[..., float], data: list[np.ndarray], counts: np.ndarray, resample: int
) -> float:
    """Metric on one resample, given how often each study was drawn."""
    index = np.repeat(np.arange(counts.size), counts)
    try:
        return float(metric(*(a[index] for a in data)))
    except StatsInputError as exc:
        raise StatsInputError(
            f"metric failed on bootstrap resample {resample}: {exc} (if a resample lost a "
            "class, pass stratify=y_true)"
        ) from exc


def _count_chunks(
    n: int,
    groups: ArrayLike | None,
    stratify: ArrayLike | None,
    n_resamples: int,
    seed: int | np.random.Generator | None,
) -> Iterator[np.ndarray]:
    """[n, draws] matrices of how often each study was drawn, ``n_resamples`` columns in all."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 2:
        raise StatsInputError(f"n_resamples must be an integer >= 2, but it is {n_resamples!r}")
    cluster = np.arange(n) if groups is None else _codes(groups, "groups", n)
    strata = _strata(cluster, stratify, n)
    n_clusters = int(cluster.max()) + 1
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_ENTRIES // n)
    for start in range(0, n_resamples, chunk):
        yield _draw_counts(rng, strata, n_clusters, min(chunk, n_resamples - start))[cluster]


def resample_indices(
    n: int,
    groups: ArrayLike | None = None,
    stratify: ArrayLike | None = None,
    n_resamples: int = 2000,
    seed: int | np.random.Generator | None = 0,
) -> Iterator[np.ndarray]:
    """The study indices of each bootstrap resample of ``n`` studies, whole patients at a time
    when ``groups`` gives each study's patient: the draws :func:`bootstrap_ci` makes.

    For statistics that :func:`bootstrap_ci` cannot express as one metric of arrays, such as
    a paired comparison that scores two models on the same resampled studies.
    """
    if n < 1:
        raise StatsInputError("n must be at least 1 study")
    studies = np.arange(n)
    for counts in _count_chunks(n, groups, stratify, n_resamples, seed):
        for column in counts.T:
            yield np.repeat(studies, column)


def bootstrap_p_value(replicates: ArrayLike, null: float = 0.0) -> float:
    """Two-sided p-value that a statistic equals ``null``, from its bootstrap replicates.

    Twice the smaller share of replicates on either side of ``null`` (ties count on both),
    each share counted as (k + 1) / (n + 1) so that a finite number of resamples never claims
    p = 0 (Davison & Hinkley 1997, eq. 4.11); capped at 1. Undefined (NaN) replicates are left
    out; none defined gives NaN.
    """
    values = np.asarray(replicates, dtype=np.float64).reshape(-1)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    tail = min(np.sum(values <= null), np.sum(values >= null))
    return float(min(1.0, 2.0 * (tail + 1) / (values.size + 1)))


def bootstrap_ci(
    metric: Callable[..., float],
    *arrays: ArrayLike,
    groups: ArrayLike | None = None,
    stratify: ArrayLike | None = None,
    n_resamples: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = 0,
) -> BootstrapResult:
    """Percentile bootstrap interval of ``metric(*arrays)``, resampling patients if grouped.

    ``arrays`` hold one entry per study (e.g. ``y_true, y_score``) and are resampled together.
    ``groups`` gives each study's patient id; ``stratify`` its class label (pass ``y_true``
    for classification metrics so every resample has both classes). Results are reproducible
    for a given ``seed``.
    """
    level = check_level(level)
    if not arrays:
        raise StatsInputError("pass the metric's inputs after it, e.g. (auroc, y_true, y_score)")
    data = [np.asarray(a) for a in arrays]
    check_same_length(**{f"arrays[{i}]": a for i, a in enumerate(data)})
    n = len(data[0])
    if n == 0:
        raise StatsInputError("arrays[0] is empty; pass at least one study")
    estimate = float(metric(*data))
    from_counts = _FROM_COUNTS[metric](*data) if metric in _FROM_COUNTS else None

    replicates, done = [], 0
    for counts in _count_chunks(n, groups, stratify, n_resamples, seed):
        if from_counts is not None:
            replicates.append(from_counts(counts))
        else:
            replicates.append(
                np.array([_score(metric, data, col, done + i) for i, col in enumerate(counts.T)])
            )
        done += counts.shape[1]

    values = np.concatenate(replicates)
    alpha = 1.0 - level
    lower, upper = np.quantile(values, [alpha / 2.0, 1.0 - alpha / 2.0])
    return BootstrapResult(
        estimate=estimate,
        lower=float(lower),
        upper=float(upper),
        level=level,
        std_error=float(values.std(ddof=1)),
        replicates=values,
    )
