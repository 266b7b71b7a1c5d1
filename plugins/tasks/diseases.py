"""Multi-label disease classification (SPEC §4): one sigmoid output per finding, BCE with
per-label positive weights from training prevalence, LayerNorm before a per-label gated
attention; AUROC per label with its DeLong interval and the macro mean.

The labels are the dataset card's binary labels (the 35 reference findings for ``clinical``),
or the subset named with the ``labels`` option (``--labels hcm`` trains one label, as the
reference trained one model per label).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from cmrbench import TaskSpec, hookimpl
from cmrbench.cards import DatasetCard
from cmrbench.plugins.tasks._labels import flags
from cmrbench.predictions import PRED, TRUTH
from cmrbench.scoring import auroc, bootstrapped, mean_metric, operating_points
from cmrbench.stats import auroc as plain_auroc
from cmrbench.task import Metric, Task, TaskError, TrainingDefaults

if TYPE_CHECKING:
    import torch
    from torch import nn

NAME = "diseases"
DEFAULTS = TrainingDefaults(lr=1e-4, weight_decay=5e-4, max_epochs=24, views="reference",
                            eval_views="reference")


@dataclass
class DiseasesTask(Task):
    def targets(self, labels: Mapping[str, Any]) -> list[float] | None:
        return flags(labels, self.target_names)

    def fit(self, train_targets: np.ndarray) -> dict[str, Any]:
        positives = train_targets.sum(axis=0)
        negatives = len(train_targets) - positives
        # pos_weight = negatives / positives balances each label's two classes in the loss; a
        # label with no positive in training gets 1 (nothing to balance).
        weight = np.where(positives > 0, negatives / np.maximum(positives, 1), 1.0)
        self.stats = {"pos_weight": dict(zip(self.target_names, weight.tolist(), strict=True)),
                      "train_prevalence": dict(zip(self.target_names,
                                                   (positives / max(len(train_targets), 1))
                                                   .tolist(), strict=True))}
        return self.stats

    def head(self, in_dim: int) -> nn.Module:
        from cmrbench.heads import BranchLinear

        return BranchLinear(in_dim, outputs=1, branches=len(self.target_names))

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        import torch
        from torch.nn import functional as F

        weight = torch.tensor([self.stats["pos_weight"][n] for n in self.target_names],
                              dtype=outputs.dtype, device=outputs.device)
        return F.binary_cross_entropy_with_logits(outputs, targets.to(outputs.dtype),
                                                  pos_weight=weight)

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        probability = 1.0 / (1.0 + np.exp(-outputs.astype(np.float64)))
        return {name: probability[:, i] for i, name in enumerate(self.target_names)}

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        truth = np.stack([table[TRUTH + n].to_numpy(float) for n in self.target_names], axis=1)
        score = np.stack([table[PRED + n].to_numpy(float) for n in self.target_names], axis=1)
        per_label = {f"auroc:{n}": auroc(truth[:, i], score[:, i])
                     for i, n in enumerate(self.target_names)}
        defined = [i for i, n in enumerate(self.target_names)
                   if np.isfinite(per_label[f"auroc:{n}"].value)]
        if not defined:
            macro = mean_metric(list(per_label.values()), "mean AUROC")
        else:
            macro = bootstrapped(_macro_auroc, truth[:, defined], score[:, defined],
                                 patients=table["patient_id"])
        return {"macro_auroc": macro, **per_label}

    def probability_columns(self) -> tuple[str, ...]:
        return self.target_names

    def details(self, table: pd.DataFrame) -> dict[str, Any]:
        return {"operating_points": {
            n: operating_points(table[TRUTH + n], table[PRED + n]) for n in self.target_names}}


def _macro_auroc(truth: np.ndarray, score: np.ndarray) -> float:
    """Mean AUROC over the labels with both classes present (in this bootstrap resample)."""
    values = [plain_auroc(truth[:, i], score[:, i]) for i in range(truth.shape[1])
              if 0 < truth[:, i].sum() < len(truth)]
    return float(np.mean(values)) if values else float("nan")


def _label_names(card: DatasetCard, labels: str | Sequence[str] | None) -> tuple[str, ...]:
    declared = tuple(name for name, kind in card.labels.items() if kind == "binary")
    if labels is None:
        if not declared:
            raise TaskError(f"the {card.name} card declares no binary label; pass labels "
                            "explicitly (--labels a,b)")
        return declared
    chosen = tuple(part.strip() for part in (labels.split(",") if isinstance(labels, str)
                                             else labels) if part.strip())
    unknown = [name for name in chosen if name not in declared]
    if unknown or not chosen:
        raise TaskError(f"labels {unknown or list(chosen)} are not binary labels of the "
                        f"{card.name} card; choose from {list(declared)}")
    return chosen


def build(card: DatasetCard, labels: str | Sequence[str] | None = None) -> DiseasesTask:
    names = _label_names(card, labels)
    return DiseasesTask(name=NAME, target_names=names, attention=names, layernorm=True,
                        defaults=DEFAULTS)


@hookimpl
def cmrbench_tasks() -> list[TaskSpec]:
    return [TaskSpec(name=NAME, description="multi-label findings (BCE with positive weights, "
                                            "per-label attention), AUROC per label",
                     kind="multilabel", build=build, datasets=("clinical", "phantom"),
                     protocols=("linear", "finetune", "transfer"),
                     metrics=("macro_auroc",), primary_metric="macro_auroc",
                     higher_is_better=True)]
