"""The LightningModule of contrastive pretraining: a video and a text encoder trained against
each other with the loss of SPEC §1, validated by video→report retrieval each epoch."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
import torch.distributed as dist
from cmrbench.pretraining.loss import ContrastiveLoss, info_nce
from cmrbench.pretraining.sentence_features import SentenceFeatures
from cmrbench.stats import recall_at_k
from cmrbench.training.model import frozen_modules_to_eval
from torch import nn
from torch.nn import functional as F

VAL_RECALL_K = 5


class ContrastiveModule(pl.LightningModule):
    """``video_encoder`` (clips -> [B, D]) and ``text_encoder`` (sentences -> [B, D], with its
    ``tokenize``), both L2-normalised, trained with ``loss`` over the global batch.

    AdamW (``lr``, ``weight_decay``, ``eps``) over every trainable parameter of both encoders
    (frozen text layers have none); the learning rate is multiplied by ``lr_drop_factor`` once
    ``lr_drop_at`` of the run's optimiser steps are done (the reference: × 0.1 at epoch 300 of
    600). With ``cached_sentences`` (a frozen text backbone) reports are embedded from cached
    sentence features (:mod:`~cmrbench.pretraining.sentence_features`). Validation embeds
    every validation pair and scores the whole set at once: the loss L (unflooded) and
    video→report recall@5, recorded per epoch in ``val_scores``.
    """

    def __init__(self, video_encoder: nn.Module, text_encoder: nn.Module,
                 loss: ContrastiveLoss, *, lr: float, weight_decay: float, eps: float,
                 lr_drop_at: float, lr_drop_factor: float, seed: int,
                 cached_sentences: bool = False) -> None:
        super().__init__()
        self.video_encoder, self.text_encoder, self.loss = video_encoder, text_encoder, loss
        self.sentence_features = SentenceFeatures(text_encoder) if cached_sentences else None
        self.lr, self.weight_decay, self.eps = lr, weight_decay, eps
        self.lr_drop_at, self.lr_drop_factor, self.seed = lr_drop_at, lr_drop_factor, seed
        self.val_scores: dict[int, dict[str, float]] = {}
        self._val: list[tuple[torch.Tensor, torch.Tensor]] = []

    def embed(self, batch: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
        """(video embeddings, report embeddings) of a batch of pairs, row by row; a batch of
        study bags (with a "mask") gives each study the normalised mean of its videos'."""
        if "mask" in batch:
            video = _bag_means(self.video_encoder(video=batch["inputs"][batch["mask"]]),
                               batch["mask"])
        else:
            video = self.video_encoder(video=batch["inputs"])
        if self.sentence_features is not None:
            return video, self.sentence_features.embed(list(batch["report"]))
        tokens = self.text_encoder.tokenize(list(batch["report"]))
        text = self.text_encoder(**{k: v.to(self.device) for k, v in tokens.items()})
        return video, text

    def on_train_epoch_start(self) -> None:
        # dropout draws from torch's global generator: seeded from (seed, epoch), an epoch is
        # the same whether or not the run was resumed before it
        torch.manual_seed(self.seed * 1_000_003 + self.current_epoch)
        frozen_modules_to_eval(self)

    def training_step(self, batch: dict[str, Any], batch_index: int) -> torch.Tensor:
        flooded, plain = self.loss(*self.embed(batch))
        size = len(batch["study_id"])
        # every process computed the loss of the same global batch: nothing to reduce
        self.log("train/loss", plain, batch_size=size, on_step=True, on_epoch=True,
                 prog_bar=True)
        self.log("train/flooded_loss", flooded, batch_size=size, on_step=True, on_epoch=True)
        return flooded

    def validation_step(self, batch: dict[str, Any], batch_index: int) -> None:
        video, text = self.embed(batch)
        self._val.append((video.detach().float().cpu(), text.detach().float().cpu()))

    def on_validation_epoch_end(self) -> None:
        video, text = _gather_pairs(self._val)
        self._val.clear()
        if self.trainer.sanity_checking or not len(video):
            return
        loss = float(info_nce(video, text, lam=self.loss.lam,
                              temperature=self.loss.temperature))
        k = min(VAL_RECALL_K, len(video))
        recall = recall_at_k((video @ text.T).numpy(), k)
        self.val_scores[self.current_epoch] = {
            "loss": loss, f"video_to_report_recall_at_{VAL_RECALL_K}": recall,
            "chance": k / len(video), "pairs": len(video)}
        self.log("val/loss", loss, prog_bar=True)
        self.log(f"val/recall_at_{VAL_RECALL_K}", recall, prog_bar=True)

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["cmrbench_val_scores"] = {k: dict(v) for k, v in self.val_scores.items()}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self.val_scores = {int(k): dict(v) for k, v in
                           checkpoint.get("cmrbench_val_scores", {}).items()}

    def configure_optimizers(self) -> dict[str, Any]:
        trainable = [p for p in self.parameters() if p.requires_grad]
        optimiser = torch.optim.AdamW(trainable, lr=self.lr, weight_decay=self.weight_decay,
                                      eps=self.eps)
        drop = max(1, round(self.trainer.estimated_stepping_batches * self.lr_drop_at))
        factor = self.lr_drop_factor
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda step: factor if step >= drop else 1.0)
        return {"optimizer": optimiser,
                "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


def _bag_means(videos: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per study, the L2-normalised mean of its videos' embeddings ([B, D] from the [n, D]
    embeddings of the real videos of a padded [B, K] bag)."""
    per_study = videos.new_zeros((*mask.shape, videos.shape[-1]))
    per_study[mask] = videos
    mean = per_study.sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1)
    return F.normalize(mean, dim=-1)


def _gather_pairs(parts: list[tuple[torch.Tensor, torch.Tensor]]
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """This process's validation embeddings, or every process's in rank order."""
    video = torch.cat([v for v, _ in parts]) if parts else torch.zeros(0, 0)
    text = torch.cat([t for _, t in parts]) if parts else torch.zeros(0, 0)
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return video, text
    everyone: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, (video, text))
    kept = [pair for pair in everyone if len(pair[0])]
    if not kept:
        return video, text
    return torch.cat([v for v, _ in kept]), torch.cat([t for _, t in kept])
