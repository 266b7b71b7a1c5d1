"""DataLoaders for the clip and bag datasets, with the defaults that keep a GPU fed.

`make_loader` is the one place those defaults live: worker processes, pinned memory for
CUDA (so `to_device` copies overlap with compute), persistent workers, a deep prefetch, and
an `EpochSampler` whose indices carry their epoch, so items stay a function of (seed, epoch,
index) whichever worker builds them, persistent or not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import torch
from cmrbench.data.base import StoreDataset
from cmrbench.data.seeding import Stream, derive_rng
from torch.utils.data import DataLoader, Sampler

MAX_DEFAULT_WORKERS = 8


class EpochSampler(Sampler[tuple[int, int]]):
    """Yields (epoch, index) pairs, shuffled per epoch from (``seed``, epoch) if ``shuffle``.

    Call `set_epoch` before each epoch (Lightning calls it on a loader's sampler itself).
    """

    def __init__(self, length: int, shuffle: bool = False, seed: int = 0) -> None:
        self.length = length
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[tuple[int, int]]:
        if self.shuffle:
            order = derive_rng(self.seed, self.epoch, 0, Stream.ORDER).permutation(self.length)
        else:
            order = range(self.length)
        return iter([(self.epoch, int(index)) for index in order])


def default_workers() -> int:
    """One worker per CPU this process may use, less one for the main process, at most 8."""
    return max(0, min(MAX_DEFAULT_WORKERS, len(os.sched_getaffinity(0)) - 1))


def make_loader(dataset: StoreDataset, batch_size: int, *, shuffle: bool = False,
                workers: int | None = None, device: torch.device | str = "cpu",
                drop_last: bool = False, prefetch: int = 4) -> DataLoader:
    """A DataLoader over a clip or bag dataset with its collate and an `EpochSampler`.

    ``workers`` defaults to `default_workers`; with workers they persist across epochs and
    each keeps ``prefetch`` batches ready. Batches are pinned when ``device`` is CUDA.
    Advance epochs with ``loader.sampler.set_epoch(epoch)``.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    workers = default_workers() if workers is None else workers
    return DataLoader(dataset, batch_size=batch_size, collate_fn=dataset.collate,
                      sampler=EpochSampler(len(dataset), shuffle, dataset.seed),
                      num_workers=workers, pin_memory=torch.device(device).type == "cuda",
                      persistent_workers=workers > 0, prefetch_factor=prefetch if workers else None,
                      drop_last=drop_last)
