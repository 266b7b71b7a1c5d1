"""ACDC diagnosis (SPEC §4): five mutually exclusive groups NOR, MINF, DCM, HCM and RV with a
softmax head; accuracy (patient-bootstrap interval), one-vs-rest AUROC per group with DeLong
intervals, their macro mean, and the confusion matrix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from cmrbench import TaskSpec, hookimpl
from cmrbench.cards import DatasetCard
from cmrbench.predictions import PRED, TRUTH
from cmrbench.scoring import auroc, bootstrapped, mean_metric
from cmrbench.task import Metric, Task, TrainingDefaults

if TYPE_CHECKING:
    import torch
    from torch import nn

NAME = "acdc-diagnosis"
GROUPS = ("NOR", "MINF", "DCM", "HCM", "RV")
TARGET = "group_index"
DEFAULTS = TrainingDefaults(lr=1e-4, weight_decay=5e-4, max_epochs=24, views="all",
                            eval_views="all")


@dataclass
class DiagnosisTask(Task):
    def targets(self, labels: Mapping[str, Any]) -> list[float] | None:
        group = labels.get("group")
        return [float(GROUPS.index(group))] if group in GROUPS else None

    def head(self, in_dim: int) -> nn.Module:
        from cmrbench.heads import BranchLinear

        return BranchLinear(in_dim, outputs=len(GROUPS))

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        from torch.nn import functional as F

        return F.cross_entropy(outputs, targets[:, 0].long())

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        shifted = outputs.astype(np.float64) - outputs.max(axis=1, keepdims=True)
        probability = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        return {group: probability[:, i] for i, group in enumerate(GROUPS)}

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        truth, probability = _truth_and_probability(table)
        correct = (probability.argmax(axis=1) == truth).astype(np.float64)
        out = {"accuracy": bootstrapped(np.mean, correct, patients=table["patient_id"])}
        per_group = {f"auroc:{g}": auroc(truth == i, probability[:, i])
                     for i, g in enumerate(GROUPS)}
        out["macro_auroc"] = mean_metric(list(per_group.values()), "mean one-vs-rest AUROC")
        return {**out, **per_group}

    def probability_columns(self) -> tuple[str, ...]:
        return GROUPS

    def scores(self, table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        truth, probability = _truth_and_probability(table)
        return {g: (truth == i, probability[:, i]) for i, g in enumerate(GROUPS)}

    def details(self, table: pd.DataFrame) -> dict[str, Any]:
        truth, probability = _truth_and_probability(table)
        matrix = np.zeros((len(GROUPS), len(GROUPS)), dtype=int)
        np.add.at(matrix, (truth, probability.argmax(axis=1)), 1)
        return {"classes": list(GROUPS),
                "confusion_matrix_rows_truth_columns_predicted": matrix.tolist()}


def _truth_and_probability(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    truth = table[TRUTH + TARGET].to_numpy(float).astype(int)
    probability = np.stack([table[PRED + g].to_numpy(float) for g in GROUPS], axis=1)
    return truth, probability


def build(card: DatasetCard, **options: Any) -> DiagnosisTask:
    if options:
        raise TypeError(f"the {NAME} task takes no options, got {sorted(options)}")
    return DiagnosisTask(name=NAME, target_names=(TARGET,), layernorm=True, defaults=DEFAULTS)


@hookimpl
def cmrbench_tasks() -> list[TaskSpec]:
    return [TaskSpec(name=NAME, description="ACDC diagnosis: NOR, MINF, DCM, HCM, RV (softmax), "
                                            "accuracy and macro AUROC",
                     kind="multiclass", build=build, datasets=("acdc", "phantom"),
                     protocols=("linear", "finetune", "transfer"),
                     metrics=("accuracy", "macro_auroc"), primary_metric="accuracy",
                     higher_is_better=True)]
