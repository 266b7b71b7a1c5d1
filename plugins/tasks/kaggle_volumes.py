"""Kaggle DSB 2015 volumes (SPEC §4): end-systolic and end-diastolic LV volume, each predicted
as a normal distribution (mean and standard deviation) trained on its closed-form CRPS and
scored by the competition's CRPS over 600 one-ml bins of its CDF, plus MAE.

The competition scored both CDFs of every study together, C = 1/(600·2N) Σ (P(V≤n) − H(n−V))²,
so ``crps`` averages systole and diastole rows; winning private-leaderboard score 0.009485.
"""

from __future__ import annotations

import math
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
from cmrbench.scoring import bootstrapped
from cmrbench.stats import crps, mae, normal_cdf_bins
from cmrbench.task import Metric, Task, TrainingDefaults

if TYPE_CHECKING:
    import torch
    from torch import nn

NAME = "kaggle-volumes"
PHASES = ("systole", "diastole")
# The competition named the phases; ACDC and the phantom name the same volumes esv/edv.
ALIASES = {"systole": ("systole_ml", "esv_ml"), "diastole": ("diastole_ml", "edv_ml")}
MIN_SD_ML = 1.0
DEFAULTS = TrainingDefaults(lr=1e-4, weight_decay=0.01, max_steps=100_000, views="reference",
                            eval_views="reference")


def gaussian_crps(mean: torch.Tensor, sd: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """CRPS of N(mean, sd) at ``value``: sd·[z(2Φ(z) − 1) + 2φ(z) − 1/√π] (Gneiting 2005)."""
    import torch

    z = (value - mean) / sd
    cdf = 0.5 * (1.0 + torch.erf(z / math.sqrt(2.0)))
    pdf = torch.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return sd * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - 1.0 / math.sqrt(math.pi))


@dataclass
class VolumesTask(Task):
    def targets(self, labels: Mapping[str, Any]) -> list[float] | None:
        values = [number(labels, *ALIASES[phase]) for phase in PHASES]
        return None if any(v is None for v in values) else values  # type: ignore[return-value]

    def fit(self, train_targets: np.ndarray) -> dict[str, Any]:
        self.stats = {phase: Standardiser.fit(train_targets[:, i]).as_dict()
                      for i, phase in enumerate(PHASES)}
        return self.stats

    def head(self, in_dim: int) -> nn.Module:
        from cmrbench.heads import BranchLinear

        return BranchLinear(in_dim, outputs=2 * len(PHASES))

    def _distribution(self, outputs: Any, i: int, softplus: Any) -> tuple[Any, Any]:
        scale = Standardiser(**self.stats[PHASES[i]])
        mean = scale.inverse(outputs[:, 2 * i])
        sd = softplus(outputs[:, 2 * i + 1]) * scale.std + MIN_SD_ML
        return mean, sd

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        import torch
        from torch.nn import functional as F

        terms = []
        for i, phase in enumerate(PHASES):
            mean, sd = self._distribution(outputs, i, F.softplus)
            # CRPS in standard-deviation units, so both phases weigh alike
            terms.append(gaussian_crps(mean, sd, targets[:, i]) / self.stats[phase]["std"])
        return torch.stack(terms).mean()

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        for i, phase in enumerate(PHASES):
            mean, sd = self._distribution(outputs.astype(np.float64), i, _softplus)
            out[f"{phase}_ml"], out[f"{phase}_sd"] = mean, sd
        return out

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        truth = np.concatenate([table[TRUTH + p].to_numpy(float) for p in PHASES])
        mean = np.concatenate([table[f"{PRED}{p}_ml"].to_numpy(float) for p in PHASES])
        sd = np.concatenate([table[f"{PRED}{p}_sd"].to_numpy(float) for p in PHASES])
        patients = np.concatenate([table["patient_id"].to_numpy()] * len(PHASES))
        cdf = normal_cdf_bins(mean, sd)
        out = {"crps": bootstrapped(crps, cdf, np.clip(truth, 0, None), patients=patients)}
        for phase in PHASES:
            out[f"{phase}_mae"] = bootstrapped(mae, table[TRUTH + phase].to_numpy(float),
                                               table[f"{PRED}{phase}_ml"].to_numpy(float),
                                               patients=table["patient_id"])
        return out


    def estimates(self, table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {f"{p}_ml": (table[TRUTH + p].to_numpy(float),
                            table[f"{PRED}{p}_ml"].to_numpy(float)) for p in PHASES}


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def build(card: DatasetCard, **options: Any) -> VolumesTask:
    if options:
        raise TypeError(f"the {NAME} task takes no options, got {sorted(options)}")
    return VolumesTask(name=NAME, target_names=PHASES, defaults=DEFAULTS)


@hookimpl
def cmrbench_tasks() -> list[TaskSpec]:
    return [TaskSpec(name=NAME, description="end-systolic and end-diastolic LV volume as "
                                            "distributions, scored by the competition's CRPS",
                     kind="regression", build=build, datasets=("kaggle-dsb", "acdc", "phantom"),
                     protocols=("linear", "finetune", "transfer"),
                     metrics=("crps", "systole_mae", "diastole_mae"), primary_metric="crps",
                     higher_is_better=False)]
