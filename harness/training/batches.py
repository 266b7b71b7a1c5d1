"""What the runner feeds its model: study bags of cached features, or of pixels, with targets.

Both give one item per study with the task's targets, the names of its videos ("VIEW/slice",
for the attention saved with each prediction) and the study ID. The view policy picks the
videos from (seed, epoch, index) alone, as everywhere in the data pipeline, and both take the
(epoch, index) keys of ``make_loader``'s sampler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from cmrbench.data import StudyBagDataset, collate_bags
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.views import select_videos
from cmrbench.specs import VideoInput
from cmrbench.training.features import CachedFeatures
from cmrbench.training.studies import StudySet
from torch.utils.data import Dataset


def video_names(views: Sequence[str], slices: Sequence[int]) -> list[str]:
    return [f"{view}/{int(s)}" for view, s in zip(views, slices, strict=True)]


class CachedBags(Dataset):
    """Study bags of cached per-video features: {"inputs": [K, F], "targets", ...}."""

    def __init__(self, cache: CachedFeatures, studies: StudySet, policy: str, seed: int) -> None:
        rows = cache.rows_of()
        missing = [s for s in studies.study_ids if s not in rows]
        if missing:
            raise ValueError(f"{len(missing)} studies are not in the feature cache {cache.key}, "
                             f"e.g. {missing[:3]}; was the store changed after caching?")
        self.vectors, self.studies, self.policy, self.seed = cache.vectors, studies, policy, seed
        self.rows = [rows[s] for s in studies.study_ids]
        self.slices = [_slice_counts(r) for r in self.rows]
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, Any]:
        epoch, index = key if isinstance(key, tuple) else (self.epoch, key)
        chosen = select_videos(self.slices[index], self.policy,
                               derive_rng(self.seed, epoch, index, Stream.VIEWS))
        rows = [self.rows[index][pair] for pair in chosen]
        return {"inputs": torch.from_numpy(np.asarray(self.vectors[rows], dtype=np.float32)),
                "video_names": [f"{view}/{s}" for view, s in chosen],
                "targets": torch.from_numpy(self.studies.targets[index]),
                "study_id": self.studies.study_ids[index]}

    @staticmethod
    def collate(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Pad features to [B, Kmax, F] with a mask [B, Kmax]; stack targets."""
        sizes = [len(item["inputs"]) for item in items]
        first = items[0]["inputs"]
        features = first.new_zeros((len(items), max(sizes), first.shape[1]))
        mask = torch.zeros((len(items), max(sizes)), dtype=torch.bool)
        for b, (item, size) in enumerate(zip(items, sizes, strict=True)):
            features[b, :size], mask[b, :size] = item["inputs"], True
        return {"inputs": features, "mask": mask,
                "targets": torch.stack([item["targets"] for item in items]),
                "video_names": [item["video_names"] for item in items],
                "study_id": [item["study_id"] for item in items]}


def mean_bag_size(dataset: CachedBags | PixelBags, sample: int = 64) -> float:
    """The mean number of videos per study the view policy selects (from the first
    ``sample`` studies of epoch 0; no pixel is read)."""
    slices = (dataset.slices if isinstance(dataset, CachedBags)
              else [entry.slices for entry in dataset.entries])[:sample]
    return float(np.mean([len(select_videos(s, dataset.policy,
                                            derive_rng(dataset.seed, 0, i, Stream.VIEWS)))
                          for i, s in enumerate(slices)]))


def _slice_counts(rows: dict[tuple[str, int], int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for view, _ in rows:
        counts[view] = counts.get(view, 0) + 1
    return counts


class PixelBags(StudyBagDataset):
    """Study bags of hand-over frames (the data pipeline's) with the task's targets; the
    model's device transform turns "frames" and "params" into the encoder's clips."""

    def __init__(self, store: Any, contract: VideoInput, studies: StudySet, policy: str,
                 seed: int, train: bool, augment: bool = True) -> None:
        super().__init__(store, contract, views=policy, train=train, augment=augment,
                         seed=seed, studies=studies.study_ids)
        self.targets = studies.targets

    def item(self, epoch: int, index: int) -> dict[str, Any]:
        item = super().item(epoch, index)
        item["targets"] = torch.from_numpy(self.targets[index])
        item["video_names"] = video_names(item.pop("views"), item.pop("slices"))
        del item["labels"]  # the targets are what the task reads
        return item

    @staticmethod
    def collate(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """`collate_bags` (padded frames, params, mask) with the targets stacked."""
        batch = collate_bags(items)
        batch["targets"] = torch.stack(batch["targets"])
        return batch
