"""The generic LightningModule: any task, any encoder, any mode; it knows no task by name."""

from __future__ import annotations

import math
from typing import Any

import pytorch_lightning as pl
import torch
from cmrbench.task import Task
from cmrbench.training.model import StudyModel, frozen_modules_to_eval
from cmrbench.training.outputs import Rows, gather, predictions_table
from cmrbench.training.studies import StudySet


class BenchmarkModule(pl.LightningModule):
    """Trains ``model`` with the task's loss; scores the validation split with the task's own
    metrics each epoch (logged as ``val/<primary metric>`` for checkpoint selection)."""

    def __init__(self, model: StudyModel, task: Task, val_studies: StudySet | None, *,
                 lr: float, weight_decay: float, seed: int, primary: str,
                 higher_is_better: bool) -> None:
        super().__init__()
        self.model, self.task, self.val_studies = model, task, val_studies
        self.lr, self.weight_decay, self.seed = lr, weight_decay, seed
        self.primary, self.higher_is_better = primary, higher_is_better
        self._val_rows: list[Rows] = []
        self.val_scores: dict[int, float] = {}

    def forward(self, batch: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model(batch["inputs"], batch["mask"])

    def on_train_epoch_start(self) -> None:
        # Dropout and stochastic depth draw from torch's global generator: seeding it from
        # (seed, epoch) makes an epoch the same whether or not the run was resumed before it.
        torch.manual_seed(self.seed * 1_000_003 + self.current_epoch)
        frozen_modules_to_eval(self.model)

    def training_step(self, batch: dict[str, Any], batch_index: int) -> torch.Tensor:
        outputs, _ = self(batch)
        loss = self.task.loss(outputs.float(), batch["targets"])
        self.log("train/loss", loss, batch_size=len(batch["study_id"]), on_step=True,
                 on_epoch=True, prog_bar=True, sync_dist=True)
        return loss

    def validation_step(self, batch: dict[str, Any], batch_index: int) -> None:
        outputs, attention = self(batch)
        self._val_rows.append(Rows.from_batch(self.task, batch, outputs, attention))

    def on_validation_epoch_end(self) -> None:
        rows = gather(Rows.concat(self._val_rows))
        self._val_rows.clear()
        if self.trainer.sanity_checking or not rows.study_ids:
            return
        table = predictions_table(self.task, self.val_studies, rows)
        value = self.task.metrics(table)[self.primary].value
        self.val_scores[self.current_epoch] = value
        if not math.isfinite(value):  # undefined on this validation set: never the best
            value = -math.inf if self.higher_is_better else math.inf
        # every process gathered the same rows and computed the same value: nothing to reduce
        self.log(f"val/{self.primary}", value, prog_bar=True)

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["cmrbench_val_scores"] = dict(self.val_scores)

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self.val_scores = {int(k): float(v)
                           for k, v in checkpoint.get("cmrbench_val_scores", {}).items()}

    def predict_step(self, batch: dict[str, Any], batch_index: int) -> Rows:
        outputs, attention = self(batch)
        return Rows.from_batch(self.task, batch, outputs, attention)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        return torch.optim.AdamW(trainable, lr=self.lr, weight_decay=self.weight_decay)
