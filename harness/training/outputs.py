"""From model outputs to prediction rows, gathered across processes without padding or loss."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
from cmrbench.predictions import build_table
from cmrbench.task import Task
from cmrbench.training.studies import StudySet


@dataclass
class Rows:
    """Per-study raw outputs and attention, in the order the studies were evaluated."""

    study_ids: list[str]
    outputs: np.ndarray
    attention: list[dict[str, dict[str, float]]]

    @classmethod
    def from_batch(cls, task: Task, batch: dict[str, Any], outputs: torch.Tensor,
                   attention: torch.Tensor) -> Rows:
        weights = attention.detach().float().cpu().numpy()
        per_study = []
        for b, names in enumerate(batch["video_names"]):
            per_study.append({branch: {name: float(weights[b, a, k])
                                       for k, name in enumerate(names)}
                              for a, branch in enumerate(task.attention)})
        return cls(list(batch["study_id"]), outputs.detach().float().cpu().numpy(), per_study)

    @classmethod
    def concat(cls, parts: Sequence[Rows]) -> Rows:
        parts = [p for p in parts if p.study_ids]
        if not parts:
            return cls([], np.zeros((0, 0), np.float32), [])
        return cls([s for p in parts for s in p.study_ids],
                   np.concatenate([p.outputs for p in parts]),
                   [a for p in parts for a in p.attention])


def gather(rows: Rows) -> Rows:
    """Every process's rows, concatenated in rank order (a no-op in a single process)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return rows
    everyone: list[Rows | None] = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, rows)
    return Rows.concat([r for r in everyone if r is not None])


def predictions_table(task: Task, studies: StudySet, rows: Rows) -> pd.DataFrame:
    """The predictions table of ``rows``; every study of ``studies`` exactly once."""
    position = {study: i for i, study in enumerate(studies.study_ids)}
    unknown = sorted(set(rows.study_ids) - set(position))
    missing = sorted(set(position) - set(rows.study_ids))
    if unknown or missing or len(rows.study_ids) != len(set(rows.study_ids)):
        raise RuntimeError(f"evaluation covered the {studies.role} studies wrongly: "
                           f"{len(missing)} missing, {len(unknown)} unexpected, "
                           f"{len(rows.study_ids) - len(set(rows.study_ids))} repeated")
    order = [position[s] for s in rows.study_ids]
    truth = {name: studies.targets[order, i] for i, name in enumerate(task.target_names)}
    ids = {"study_id": rows.study_ids,
           "patient_id": [studies.patient_ids[i] for i in order],
           "split": [studies.splits[i] for i in order]}
    return build_table(ids, truth, task.predictions(rows.outputs), rows.attention)
