"""What the clip and study-bag datasets share: the store, the studies, hand-over and seeds."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from cmrbench.data.catalog import load_entry, open_store, study_ids
from cmrbench.data.device import BatchTransform
from cmrbench.data.geometry import handover_size
from cmrbench.data.handover import Handover
from cmrbench.data.reports import sample_sentences
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.views import VIEW_POLICIES, ViewPolicy
from cmrbench.specs import VideoInput
from cmrbench.store import StudyStore
from torch.utils.data import Dataset


class StoreDataset(Dataset):
    """The studies of ``split`` (or exactly ``studies``, in order) with their shapes and labels,
    a `Handover` and a seed.

    Items hold uint8 hand-over frames and their `ClipParams`; `batch_transform` gives the
    device half that turns a collated batch into the encoder's input. With ``sentences`` set,
    only studies with a report are kept (the others' IDs are in ``without_report``) and items
    carry that many sentences sampled from the report.

    Randomness comes from (``seed``, epoch, index) alone. An index may be a plain int (the
    epoch of the last `set_epoch`) or an (epoch, index) pair, which is what `make_loader`'s
    sampler yields, so persistent DataLoader workers follow the epochs too.
    """

    def __init__(self, store: StudyStore | Path | str, contract: VideoInput,
                 split: str | None = None, views: ViewPolicy = "reference", train: bool = False,
                 augment: bool = True, seed: int = 0, sentences: int | None = None,
                 studies: Sequence[str] | None = None) -> None:
        if views not in VIEW_POLICIES:
            raise ValueError(f"unknown view policy {views!r}; choose one of "
                             f"{list(VIEW_POLICIES)}")
        if sentences is not None and sentences < 1:
            raise ValueError(f"sentences must be at least 1 (or None for no report), "
                             f"got {sentences}")
        self.store = open_store(store)
        self.contract = contract
        self.train = train
        self.augment = augment
        self.policy = views
        self.seed = seed
        self.sentences = sentences
        ids = study_ids(self.store, split, with_report=sentences is not None, only=studies)
        self.without_report = sorted(set(study_ids(self.store, split, only=studies)) - set(ids))
        self.entries = [load_entry(self.store, study_id) for study_id in ids]
        sizes = (size for entry in self.entries for size in entry.sizes.values())
        self.handover = Handover(contract, handover_size(sizes, (contract.height,
                                                                 contract.width)),
                                 train=train, augment=augment)
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Make plain-int indices refer to ``epoch`` (same epoch and seed: the same items)."""
        self.epoch = epoch

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, Any]:
        epoch, index = key if isinstance(key, tuple) else (self.epoch, key)
        return self.item(epoch, index)

    def item(self, epoch: int, index: int) -> dict[str, Any]:
        """Item ``index`` of ``epoch``."""
        raise NotImplementedError

    def batch_transform(self, memory_format: torch.memory_format | None = None
                        ) -> BatchTransform:
        """The device half for this dataset's contract and mode (training, augmentation)."""
        return BatchTransform(self.contract, train=self.train, augment=self.augment,
                              memory_format=memory_format)

    def pixel_rng(self, epoch: int, index: int):
        """The item's pixel stream in training; None in evaluation, which draws nothing."""
        return derive_rng(self.seed, epoch, index, Stream.PIXELS) if self.train else None

    def sampled_report(self, epoch: int, index: int, study_id: str) -> str:
        """``sentences`` sentences of the study's report, drawn for this item and epoch."""
        rng = derive_rng(self.seed, epoch, index, Stream.REPORT)
        return sample_sentences(self.store.report(study_id), self.sentences, rng)
