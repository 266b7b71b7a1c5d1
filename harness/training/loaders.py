"""Data loaders per role, built after Lightning has launched its processes.

Samplers need the world size and this process's rank, which a multi-process launch only
knows once the strategy is set up; a LightningDataModule's ``*_dataloader`` hooks run then.
Training shuffles per epoch (``make_loader``'s sampler, padded across ranks like torch's
DistributedSampler); validation and test take exact contiguous shares (``exact=True``), so
each study is scored exactly once whatever the number of processes.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from cmrbench.data import make_loader, to_device
from cmrbench.data.base import StoreDataset
from torch.utils.data import DataLoader


class BagData(pl.LightningDataModule):
    """Train/val(/test) datasets -> loaders for this process, and the data path's device half:
    hand-over frames become the encoder's clips after the batch has moved. The datasets are
    study bags, or any store dataset whose items hand over frames (pretraining's pairs)."""

    def __init__(self, datasets: dict[str, Any], batch_size: int, workers: int) -> None:
        super().__init__()
        self.datasets, self.batch_size, self.workers = datasets, batch_size, workers
        pixels = isinstance(datasets["train"], StoreDataset)
        self.transforms = ({"train": datasets["train"].batch_transform(),
                            "eval": datasets["val"].batch_transform()} if pixels else {})

    def transfer_batch_to_device(self, batch: Any, device: torch.device,
                                 dataloader_idx: int) -> Any:
        return to_device(batch, device)  # clip parameters stay on the host: no sync

    def on_after_batch_transfer(self, batch: dict[str, Any], dataloader_idx: int
                                ) -> dict[str, Any]:
        if "frames" in batch:
            mode = "train" if self.trainer.training else "eval"
            batch["inputs"] = self.transforms[mode](batch.pop("frames"), batch.pop("params"))
        return batch

    def _loader(self, role: str, *, train: bool) -> DataLoader:
        return make_loader(self.datasets[role], self.batch_size, shuffle=train,
                           workers=self.workers, device=self.trainer.strategy.root_device,
                           rank=self.trainer.global_rank, world_size=self.trainer.world_size,
                           exact=not train)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", train=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", train=False)

    def predict_dataloader(self) -> DataLoader:
        return self._loader("test", train=False)
