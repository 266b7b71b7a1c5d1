"""Scoring with labels the submitter does not control.

The submitted predictions keep their prediction and attention columns; IDs, splits and truth
come from the benchmark's reference (the store). Metrics are the task's own
(:meth:`cmrbench.task.Task.metrics`), computed from a predictions table read back from disk, as
a run computes them; subgroup breakdowns are the primary metric within each value of a store
label (site, vendor, pathology). Where only aggregates are published, a subgroup of fewer than
:data:`MIN_AGGREGATE_CELL` studies is suppressed: a metric of one or two participants is
nearly their own result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from cmrbench.leaderboard.entries import plain_json
from cmrbench.leaderboard.errors import LeaderboardError
from cmrbench.predictions import ID_COLUMNS, TRUTH
from cmrbench.scoring import point_estimates
from cmrbench.stats import StatsInputError
from cmrbench.task import Metric, Task

UNDEFINED = "undefined"
MIN_AGGREGATE_CELL = 10


@dataclass(frozen=True)
class Scores:
    """What an entry states about one run: metrics, details and subgroup breakdowns."""

    metrics: dict[str, dict[str, Any]]
    details: dict[str, Any]
    subgroups: dict[str, dict[str, dict[str, Any]]]

    def as_dict(self) -> dict[str, Any]:
        return {"metrics": self.metrics, "details": self.details, "subgroups": self.subgroups}


def scored_table(submitted: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """``submitted``'s predictions (same rows as ``reference``) with the reference's IDs,
    splits and truth, sorted by study as a run writes them."""
    own = [c for c in submitted.columns if c not in ID_COLUMNS and not c.startswith(TRUTH)]
    rows = submitted.set_index(submitted["study_id"].astype(str))[own]
    table = reference.merge(rows, left_on="study_id", right_index=True, how="left",
                            validate="one_to_one")
    return table.sort_values("study_id", kind="stable").reset_index(drop=True)


def score(task: Task, table: pd.DataFrame, primary: str,
          subgroups: pd.DataFrame | None = None, *, min_cell: int = 0) -> Scores:
    """The task's metrics and details on ``table`` and ``primary`` within each subgroup
    (subgroups under ``min_cell`` studies suppressed)."""
    try:
        metrics = {k: m.as_dict() for k, m in task.metrics(table).items()}
        details = task.details(table)
    except KeyError as exc:
        raise LeaderboardError(f"the predictions lack a column task {task.name!r} scores: "
                               f"{exc}") from None
    return Scores(metrics, plain_json(details),
                  subgroup_scores(task, table, primary, subgroups, min_cell=min_cell))


def subgroup_scores(task: Task, table: pd.DataFrame, primary: str,
                    subgroups: pd.DataFrame | None, *, min_cell: int = 0
                    ) -> dict[str, dict[str, dict[str, Any]]]:
    """{label: {value: primary metric (point estimate) and n}} over ``subgroups``' columns."""
    if subgroups is None or subgroups.empty:
        return {}
    labels = subgroups.set_index("study_id").loc[table["study_id"]].reset_index(drop=True)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for label in labels.columns:
        out[label] = {}
        for value in sorted(set(labels[label])):
            part = table[(labels[label] == value).to_numpy()].reset_index(drop=True)
            out[label][str(value)] = (_point(task, part, primary) if len(part) >= min_cell
                                      else Metric(float("nan"), method=f"suppressed: under "
                                                  f"{min_cell} studies", n=0).as_dict())
    return out


def min_cell(public: bool) -> int:
    """The smallest subgroup an entry may state: any for per-study publication."""
    return 0 if public else MIN_AGGREGATE_CELL


def _point(task: Task, table: pd.DataFrame, primary: str) -> dict[str, Any]:
    with point_estimates():
        try:
            return task.metrics(table)[primary].as_dict()
        except (StatsInputError, ValueError, ZeroDivisionError) as exc:
            return Metric(float("nan"), method=f"{UNDEFINED}: {exc}", n=len(table)).as_dict()


def truth_differs(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """Truth columns on which two tables of the same studies, in the same order, disagree."""
    columns = sorted({c for c in a.columns if c.startswith(TRUTH)}
                     | {c for c in b.columns if c.startswith(TRUTH)})
    return [c for c in columns if c not in a.columns or c not in b.columns
            or not np.array_equal(pd.to_numeric(a[c]).to_numpy(float),
                                  pd.to_numeric(b[c]).to_numpy(float))]
