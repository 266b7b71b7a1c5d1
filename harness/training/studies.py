"""The studies a run uses in each role, with the task's targets, read from the store's index.

Studies without the task's targets are left out and counted, never silently trained on. The
label-efficiency subsample keeps a fixed-seed fraction of the training *patients* (a patient's
studies stay together), nested across fractions: with one seed, the 1 % subset lies inside the
10 % subset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from cmrbench.splits import SplitRoles, unit_hash
from cmrbench.task import Task, TaskError, target_matrix

LABEL_PREFIX = "label:"


@dataclass(frozen=True)
class StudySet:
    """The usable studies of one role: IDs, patients, splits and targets [n, n_targets]."""

    role: str
    study_ids: list[str]
    patient_ids: list[str]
    splits: list[str]
    targets: np.ndarray
    without_targets: int

    def __len__(self) -> int:
        return len(self.study_ids)

    def summary(self) -> dict[str, Any]:
        return {"studies": len(self.study_ids), "patients": len(set(self.patient_ids)),
                "without_targets": self.without_targets}


def index_labels(row: pd.Series) -> dict[str, Any]:
    """A study's labels from its index row (``label:<name>`` columns; empty cells dropped)."""
    labels = {}
    for column, value in row.items():
        if str(column).startswith(LABEL_PREFIX) and not (value == "" or pd.isna(value)):
            labels[str(column)[len(LABEL_PREFIX):]] = value
    return labels


def fraction_patients(patients: list[str], fraction: float, seed: int) -> set[str]:
    """A ``fraction`` of ``patients`` (at least one) chosen by a salted hash of each ID."""
    unique = sorted(set(patients))
    if fraction >= 1.0:
        return set(unique)
    salt = f"cmrbench-fraction-{seed}"
    ranked = sorted(unique, key=lambda patient: unit_hash(salt, patient))
    chosen = {p for p in ranked if unit_hash(salt, p) < fraction}
    return chosen or {ranked[0]}


def role_studies(index: pd.DataFrame, roles: SplitRoles, task: Task, role: str, *,
                 fraction: float = 1.0, fraction_seed: int = 0) -> StudySet:
    """The studies of ``role`` that have the task's targets (and their report, for a task that
    needs it; training: the label fraction)."""
    in_role = [roles.role(split, patient) == role
               for split, patient in zip(index["split"], index["patient_id"], strict=True)]
    rows = index[np.array(in_role, dtype=bool)]
    if rows.empty:
        present = sorted(set(index["split"]))
        raise TaskError(f"no study of the store plays the {role!r} role: the card maps it to "
                        f"{roles.as_dict()[role]!r}, and the store's splits are {present}")
    targets, usable = target_matrix(task, [index_labels(row) for _, row in rows.iterrows()])
    if getattr(task, "needs_report", False):  # a study without its report cannot be scored
        reported = rows["has_report"].astype(bool).to_numpy()
        targets, usable = targets[reported[usable]], usable & reported
    rows = rows[usable]
    if role == "train" and fraction < 1.0:
        keep = fraction_patients(list(rows["patient_id"]), fraction, fraction_seed)
        chosen = rows["patient_id"].isin(keep).to_numpy()
        rows, targets = rows[chosen], targets[chosen]
    if rows.empty:
        stored = sorted(c[len(LABEL_PREFIX):] for c in index.columns
                        if c.startswith(LABEL_PREFIX))
        report = " and a report" if getattr(task, "needs_report", False) else ""
        raise TaskError(f"no study in the {role!r} role has the targets of task {task.name!r} "
                        f"({list(task.target_names)}){report}; labels in the store: {stored}")
    return StudySet(role=role, study_ids=list(rows["study_id"]),
                    patient_ids=list(rows["patient_id"]), splits=list(rows["split"]),
                    targets=targets, without_targets=int((~usable).sum()))
