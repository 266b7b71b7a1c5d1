"""LVEF regression (SPEC §4): Huber loss on standardised targets; MAE, MSE, RMSE, Pearson r,
Bland-Altman, and heart-failure AUROC at LVEF < 40 % with its DeLong interval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from cmrbench import TaskSpec, hookimpl
from cmrbench.cards import DatasetCard
from cmrbench.plugins.tasks._labels import number
from cmrbench.plugins.tasks._scaling import Standardiser
from cmrbench.predictions import PRED, TRUTH
from cmrbench.scoring import auroc, operating_points, regression
from cmrbench.task import Metric, Task, TrainingDefaults

if TYPE_CHECKING:
    import torch
    from torch import nn

NAME = "lvef"
HEART_FAILURE_LVEF = 40.0  # heart failure with reduced ejection fraction: LVEF < 40 %
DEFAULTS = TrainingDefaults(lr=1e-4, weight_decay=0.01, max_steps=100_000,
                            views="random-half-sax", eval_views="random-half-sax")


@dataclass
class LvefTask(Task):
    def targets(self, labels: Mapping[str, Any]) -> list[float] | None:
        value = number(labels, "lvef")
        return None if value is None else [value]

    def fit(self, train_targets: np.ndarray) -> dict[str, Any]:
        self.stats = Standardiser.fit(train_targets[:, 0]).as_dict()
        return self.stats

    def head(self, in_dim: int) -> nn.Module:
        from cmrbench.heads import BranchLinear

        return BranchLinear(in_dim)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        from torch.nn import functional as F

        scale = Standardiser(**self.stats)
        return F.huber_loss(outputs[:, 0], scale.forward(targets[:, 0]))

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        return {"lvef": Standardiser(**self.stats).inverse(outputs[:, 0])}

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        truth, pred = table[TRUTH + "lvef"].to_numpy(float), table[PRED + "lvef"].to_numpy(float)
        out = regression(truth, pred, table["patient_id"])
        # A lower predicted LVEF is more suspicious of heart failure.
        out["hf_auroc"] = auroc(truth < HEART_FAILURE_LVEF, -pred)
        return out

    def scores(self, table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        truth, pred = table[TRUTH + "lvef"].to_numpy(float), table[PRED + "lvef"].to_numpy(float)
        return {"heart_failure": (truth < HEART_FAILURE_LVEF, -pred)}

    def details(self, table: pd.DataFrame) -> dict[str, Any]:
        truth, pred = table[TRUTH + "lvef"].to_numpy(float), table[PRED + "lvef"].to_numpy(float)
        return {"heart_failure_lvef_below": HEART_FAILURE_LVEF,
                "hf_operating_points_on_negative_lvef": operating_points(
                    truth < HEART_FAILURE_LVEF, -pred)}


def build(card: DatasetCard, **options: Any) -> LvefTask:
    if options:
        raise TypeError(f"the lvef task takes no options, got {sorted(options)}")
    return LvefTask(name=NAME, target_names=("lvef",), defaults=DEFAULTS)


@hookimpl
def cmrbench_tasks() -> list[TaskSpec]:
    return [TaskSpec(name=NAME, description="LV ejection fraction regression (Huber), with "
                                            "heart-failure AUROC at LVEF < 40 %",
                     kind="regression", build=build,
                     datasets=("ukbb", "kaggle-dsb", "acdc", "phantom", "clinical"),
                     protocols=("linear", "finetune", "transfer"),
                     metrics=("mae", "mse", "rmse", "pearson_r", "bias", "loa_lower",
                              "loa_upper", "hf_auroc"),
                     primary_metric="mae", higher_is_better=False)]
