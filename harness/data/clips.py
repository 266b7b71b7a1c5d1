"""One item per video: a clip of one view (or SAX slice) of one study, ready for the encoder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from cmrbench.data.base import StoreDataset
from cmrbench.data.catalog import StudyEntry
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.temporal import uniform_frame_indices
from cmrbench.data.transforms import ClipTransform
from cmrbench.data.views import select_videos
from cmrbench.store import StudyStore


def read_clip(store: StudyStore, entry: StudyEntry, view: str, slice_index: int,
              transform: ClipTransform, rng: np.random.Generator) -> torch.Tensor:
    """One video as the encoder takes it: uniformly subsampled frames, transformed.

    Only the frames the encoder will see are read from disk.
    """
    frames = uniform_frame_indices(entry.frames[view], transform.contract.frames)
    cine = store.read_cine(entry.study_id, view, slice_index, frames)
    return transform(cine, rng)


class ClipDataset(StoreDataset):
    """Every video that the ``views`` policy selects from every study of ``split``.

    An item is {"video": float32 [C, T, H, W], "study_id", "view", "slice", "labels"}, plus
    "report" with ``sentences`` set (see `StoreDataset`). A random policy re-draws its SAX
    slices in `set_epoch`; the number of items never changes between epochs.
    """

    def set_epoch(self, epoch: int) -> None:
        """Re-draw random choices for ``epoch`` (same epoch and seed: the same items)."""
        super().set_epoch(epoch)
        self.items: list[tuple[StudyEntry, str, int]] = [
            (entry, view, slice_index)
            for position, entry in enumerate(self.entries)
            for view, slice_index in select_videos(
                entry.slices, self.policy, derive_rng(self.seed, epoch, position, Stream.VIEWS))
        ]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        entry, view, slice_index = self.items[index]
        rng = derive_rng(self.seed, self.epoch, index, Stream.PIXELS)
        item: dict[str, Any] = {
            "video": read_clip(self.store, entry, view, slice_index, self.transform, rng),
            "study_id": entry.study_id,
            "view": view,
            "slice": slice_index,
            "labels": dict(entry.labels),
        }
        if self.sentences is not None:
            item["report"] = self.sampled_report(index, entry.study_id)
        return item


def collate_clips(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A batch of clip items: "video" stacked to [B, C, T, H, W], every other key as a list.

    Labels stay a list of dicts because studies may carry different label sets; building
    targets from them is the task's job.
    """
    if not items:
        raise ValueError("collate_clips got an empty batch; check the sampler's batch size")
    batch: dict[str, Any] = {key: [item[key] for item in items] for key in items[0]}
    batch["video"] = torch.stack(batch["video"])
    return batch
