"""One item per study: the bag of videos a multi-instance (attention-pooling) head takes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from cmrbench.data.base import StoreDataset
from cmrbench.data.clips import read_clip
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.views import select_videos


class StudyBagDataset(StoreDataset):
    """Every study of ``split`` as a bag of the videos the ``views`` policy selects.

    An item is {"videos": float32 [K, C, T, H, W], "views": [K view names], "slices":
    [K slice indices], "study_id", "labels"}, plus "report" with ``sentences`` set (see
    `StoreDataset`). K varies by study; `collate_bags` pads a batch.
    """

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int) -> dict[str, Any]:
        entry = self.entries[index]
        selected = select_videos(entry.slices, self.policy,
                                 derive_rng(self.seed, self.epoch, index, Stream.VIEWS))
        rng = derive_rng(self.seed, self.epoch, index, Stream.PIXELS)
        videos = [read_clip(self.store, entry, view, slice_index, self.transform, rng)
                  for view, slice_index in selected]
        item: dict[str, Any] = {
            "videos": torch.stack(videos),
            "views": [view for view, _ in selected],
            "slices": [slice_index for _, slice_index in selected],
            "study_id": entry.study_id,
            "labels": dict(entry.labels),
        }
        if self.sentences is not None:
            item["report"] = self.sampled_report(index, entry.study_id)
        return item


def collate_bags(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Pad a batch of bags to the largest: "videos" [B, Kmax, C, T, H, W] and "mask" [B, Kmax].

    ``mask[b, k]`` is True where video k of study b is real; padding is zeros and must be
    masked out of attention. Every video of every bag is kept. Other keys become lists.
    """
    if not items:
        raise ValueError("collate_bags got an empty batch; check the sampler's batch size")
    sizes = [len(item["videos"]) for item in items]
    first = items[0]["videos"]
    videos = first.new_zeros((len(items), max(sizes), *first.shape[1:]))
    mask = torch.zeros((len(items), max(sizes)), dtype=torch.bool)
    for b, (item, size) in enumerate(zip(items, sizes, strict=True)):
        videos[b, :size] = item["videos"]
        mask[b, :size] = True
    batch: dict[str, Any] = {key: [item[key] for item in items] for key in items[0]}
    batch.update(videos=videos, mask=mask)
    return batch
