"""Paired tests of two models scored on the same studies.

- Per binary outcome (:meth:`cmrbench.task.Task.scores`): the paired DeLong test, with Holm
  and Benjamini-Hochberg adjustment across the outcomes.
- Any metric of the task (regression errors, CRPS, accuracy, macro AUROC, ...): a paired
  bootstrap that resamples patients, scoring both models on the same resampled studies with
  the task's own metrics (point estimates); the difference's percentile interval and the
  two-sided p-value at which that interval would exclude zero. A model with several seeds
  counts as the mean of its seeds' metric on each resample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from cmrbench import stats
from cmrbench.leaderboard.errors import LeaderboardError
from cmrbench.leaderboard.rescore import truth_differs
from cmrbench.scoring import point_estimates
from cmrbench.task import Task
from scipy.stats import norm

RESAMPLES = 1000
LEVEL = 0.95
DELONG, BOOTSTRAP = "paired DeLong", "paired bootstrap by patient"


@dataclass(frozen=True)
class Paired:
    """One paired comparison: A's and B's values, A - B with its interval, and p-values."""

    name: str
    a: float
    b: float
    difference: float
    lower: float
    upper: float
    p_value: float
    method: str
    n: int
    p_holm: float = float("nan")
    p_bh: float = float("nan")
    note: str = ""


def aligned(runs_a: Sequence[pd.DataFrame], runs_b: Sequence[pd.DataFrame]
            ) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Every run's table in one study order; an error unless all hold the same studies with
    the same patients and truth (paired tests compare models, not test sets)."""
    tables = [t.sort_values("study_id", kind="stable").reset_index(drop=True)
              for t in (*runs_a, *runs_b)]
    first = tables[0]
    for table in tables[1:]:
        if list(table["study_id"]) != list(first["study_id"]):
            raise LeaderboardError("the two sides hold different studies "
                                   f"({len(first)} and {len(table)}); paired tests need the same "
                                   "test studies: compare runs of one benchmark")
        if list(table["patient_id"]) != list(first["patient_id"]) or truth_differs(first, table):
            raise LeaderboardError("the two sides disagree on the patients or truth of their "
                                   "studies: were they scored against the same store? Compare "
                                   "entries of one board, or runs on one store")
    return tables[:len(runs_a)], tables[len(runs_a):]


def point_metrics(task: Task, table: pd.DataFrame) -> dict[str, float]:
    with point_estimates():
        return {k: m.value for k, m in task.metrics(table).items()}


def paired_bootstrap(task: Task, runs_a: Sequence[pd.DataFrame], runs_b: Sequence[pd.DataFrame],
                     metrics: Sequence[str], *, n_resamples: int = RESAMPLES, seed: int = 0
                     ) -> dict[str, Paired]:
    """A - B for each of ``metrics``, each side the mean over its runs (seeds)."""
    runs_a, runs_b = aligned(runs_a, runs_b)
    patients = runs_a[0]["patient_id"].to_numpy()

    def side(runs: Sequence[pd.DataFrame], index: np.ndarray | None) -> np.ndarray:
        values = []
        for table in runs:
            part = table if index is None else table.iloc[index].reset_index(drop=True)
            scored = point_metrics(task, part)
            values.append([scored.get(m, np.nan) for m in metrics])
        return np.asarray(values, dtype=np.float64).mean(axis=0)

    with np.errstate(all="ignore"):
        a, b = side(runs_a, None), side(runs_b, None)
        replicates = np.array([side(runs_a, i) - side(runs_b, i) for i in stats.resample_indices(
            len(patients), groups=patients, n_resamples=n_resamples, seed=seed)])
    out = {}
    for k, name in enumerate(metrics):
        column = replicates[:, k]
        defined = column[np.isfinite(column)]
        lower, upper = (np.quantile(defined, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
                        if defined.size else (np.nan, np.nan))
        note = (f"{column.size - defined.size} of {column.size} resamples undefined"
                if defined.size < column.size else "")
        out[name] = Paired(name, float(a[k]), float(b[k]), float(a[k] - b[k]), float(lower),
                           float(upper), stats.bootstrap_p_value(defined), BOOTSTRAP,
                           len(patients), note=note)
    return adjusted(out)


def paired_delong(task: Task, table_a: pd.DataFrame, table_b: pd.DataFrame) -> dict[str, Paired]:
    """The paired DeLong test of each binary outcome the task scores, Holm/BH adjusted."""
    (table_a,), (table_b,) = aligned([table_a], [table_b])
    scores_a, scores_b = task.scores(table_a), task.scores(table_b)
    out = {}
    for label, (truth, score_a) in scores_a.items():
        truth = np.asarray(truth, dtype=bool)
        positives = int(truth.sum())
        if min(positives, truth.size - positives) < 2:
            out[label] = Paired(label, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, DELONG,
                                truth.size, note=f"not tested: {positives} positive and "
                                                 f"{truth.size - positives} negative studies")
            continue
        score_b = scores_b[label][1]
        result = stats.delong_test(truth, score_a, score_b)
        _, cov = stats.delong_covariance(truth, np.stack([score_a, score_b]))
        half = norm.ppf((1 + LEVEL) / 2) * np.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0))
        difference = result.auc_a - result.auc_b
        out[label] = Paired(label, result.auc_a, result.auc_b, difference,
                            float(difference - half), float(difference + half), result.p_value,
                            DELONG, truth.size)
    return adjusted(out)


def adjusted(results: dict[str, Paired]) -> dict[str, Paired]:
    """Holm and Benjamini-Hochberg adjusted p-values across the tested comparisons."""
    tested = [k for k, r in results.items() if np.isfinite(r.p_value)]
    if not tested:
        return results
    p = [results[k].p_value for k in tested]
    holm, bh = stats.holm(p), stats.benjamini_hochberg(p)
    out = dict(results)
    for k, h, q in zip(tested, holm, bh, strict=True):
        r = results[k]
        out[k] = Paired(r.name, r.a, r.b, r.difference, r.lower, r.upper, r.p_value, r.method,
                        r.n, float(h), float(q), r.note)
    return out
