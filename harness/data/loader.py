"""DataLoaders for the clip and bag datasets, with the defaults that keep a GPU fed.

`make_loader` is the one place those defaults live: worker processes, pinned memory for
CUDA (so `to_device` copies overlap with compute), persistent workers, a deep prefetch, and
an `EpochSampler` whose indices carry their epoch, so items stay a function of (seed, epoch,
index) whichever worker builds them, persistent or not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from cmrbench.data.base import StoreDataset
from cmrbench.data.seeding import Stream, derive_rng
from torch.utils.data import DataLoader, Sampler

MAX_DEFAULT_WORKERS = 8


class EpochSampler(Sampler[tuple[int, int]]):
    """Yields (epoch, index) pairs, shuffled per epoch from (``seed``, epoch) if ``shuffle``.

    Call `set_epoch` before each epoch (Lightning calls it on a loader's sampler itself).
    With ``world_size`` > 1 each ``rank`` takes every world_size-th index of the epoch's
    order, which is padded by wrapping round to a multiple of world_size, as torch's
    DistributedSampler does for training (evaluation that must neither pad nor drop needs
    its own split). Under Lightning, pass ``use_distributed_sampler=False`` to the Trainer, or
    its wrapper would hide `set_epoch` from this sampler.
    """

    def __init__(self, length: int, shuffle: bool = False, seed: int = 0, rank: int = 0,
                 world_size: int = 1) -> None:
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is outside a world of {world_size} processes")
        self.length = length
        self.shuffle = shuffle
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return -(-self.length // self.world_size)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        if self.shuffle:
            order = derive_rng(self.seed, self.epoch, 0, Stream.ORDER).permutation(self.length)
        else:
            order = np.arange(self.length)
        padded = np.resize(order, len(self) * self.world_size)
        return iter([(self.epoch, int(index)) for index in padded[self.rank::self.world_size]])


class ShardSampler(Sampler[int]):
    """This process's contiguous share of a dataset, in order, for evaluation: shares differ
    in size by at most one and together hold every index exactly once (no padding, unlike
    `EpochSampler` and torch's DistributedSampler, so no study is scored twice)."""

    def __init__(self, length: int, rank: int = 0, world_size: int = 1) -> None:
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is outside a world of {world_size} processes")
        bounds = np.linspace(0, length, world_size + 1).round().astype(int)
        self.indices = range(int(bounds[rank]), int(bounds[rank + 1]))

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices)


def default_workers() -> int:
    """One worker per CPU this process may use, less one for the main process, at most 8."""
    return max(0, min(MAX_DEFAULT_WORKERS, len(os.sched_getaffinity(0)) - 1))


def make_loader(dataset: StoreDataset | Any, batch_size: int, *, shuffle: bool = False,
                workers: int | None = None, device: torch.device | str = "cpu",
                drop_last: bool = False, prefetch: int = 4, rank: int = 0,
                world_size: int = 1, exact: bool = False) -> DataLoader:
    """A DataLoader over a clip or bag dataset with its collate and an `EpochSampler`.

    ``workers`` defaults to `default_workers`; with workers they persist across epochs and
    each keeps ``prefetch`` batches ready. Batches are pinned when ``device`` is CUDA.
    Advance epochs with ``loader.sampler.set_epoch(epoch)``; ``rank`` and ``world_size``
    shard each epoch for distributed training (see `EpochSampler`). ``exact`` (evaluation)
    gives this rank a `ShardSampler` share instead: every item once across ranks, in order.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    workers = default_workers() if workers is None else workers
    sampler = (ShardSampler(len(dataset), rank, world_size) if exact else
               EpochSampler(len(dataset), shuffle, dataset.seed, rank, world_size))
    return DataLoader(dataset, batch_size=batch_size, collate_fn=dataset.collate,
                      sampler=sampler,
                      num_workers=workers, pin_memory=torch.device(device).type == "cuda",
                      persistent_workers=workers > 0, prefetch_factor=prefetch if workers else None,
                      drop_last=drop_last)
