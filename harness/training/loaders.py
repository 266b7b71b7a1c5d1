"""Data loaders per role, built after Lightning has launched its processes.

Samplers need the world size and this process's rank, which a multi-process launch only
knows once the strategy is set up; a LightningDataModule's ``*_dataloader`` hooks run then.
Training shuffles per epoch (``EpochSampler``); validation and test take contiguous shards
(``ShardSampler``) so each study is scored exactly once across processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytorch_lightning as pl
from cmrbench.training.batches import EpochSampler, ShardSampler
from torch.utils.data import DataLoader, Dataset


class BagData(pl.LightningDataModule):
    """Train/val/test study-bag datasets -> loaders for this process."""

    def __init__(self, datasets: dict[str, Dataset], collate: Callable[..., Any],
                 batch_size: int, workers: int, seed: int) -> None:
        super().__init__()
        self.datasets, self.collate = datasets, collate
        self.batch_size, self.workers, self.seed = batch_size, workers, seed

    def _loader(self, role: str, sampler: Any) -> DataLoader:
        return DataLoader(self.datasets[role], batch_size=self.batch_size, sampler=sampler,
                          collate_fn=self.collate, num_workers=self.workers,
                          persistent_workers=False)

    def _shard(self, role: str) -> DataLoader:
        world, rank = self.trainer.world_size, self.trainer.global_rank
        return self._loader(role, ShardSampler(len(self.datasets[role]), rank, world))

    def train_dataloader(self) -> DataLoader:
        world, rank = self.trainer.world_size, self.trainer.global_rank
        return self._loader("train", EpochSampler(self.datasets["train"], num_replicas=world,
                                                  rank=rank, shuffle=True, seed=self.seed))

    def val_dataloader(self) -> DataLoader:
        return self._shard("val")

    def predict_dataloader(self) -> DataLoader:
        return self._shard("test")
