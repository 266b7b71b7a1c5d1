"""What the runner feeds its model: study bags of cached features, or of pixels, with targets.

Both datasets give one item per study with the task's targets, the names of its videos
("VIEW/slice", for the attention saved with each prediction) and the study ID; the view policy
picks the videos from (seed, epoch, index) alone, as everywhere in the data pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from cmrbench.data import StudyBagDataset, collate_bags
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.views import select_videos
from cmrbench.specs import VideoInput
from cmrbench.training.features import CachedFeatures
from cmrbench.training.studies import StudySet
from torch.utils.data import Dataset, DistributedSampler, Sampler


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

    def __getitem__(self, index: int) -> dict[str, Any]:
        chosen = select_videos(self.slices[index], self.policy,
                               derive_rng(self.seed, self.epoch, index, Stream.VIEWS))
        rows = [self.rows[index][pair] for pair in chosen]
        return {"inputs": torch.from_numpy(np.asarray(self.vectors[rows], dtype=np.float32)),
                "video_names": [f"{view}/{s}" for view, s in chosen],
                "targets": torch.from_numpy(self.studies.targets[index]),
                "study_id": self.studies.study_ids[index]}


def _slice_counts(rows: dict[tuple[str, int], int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for view, _ in rows:
        counts[view] = counts.get(view, 0) + 1
    return counts


def collate_cached(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
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


class PixelBags(Dataset):
    """Study bags of clips in the encoder's contract: "videos" [K, C, T, H, W], targets, ..."""

    def __init__(self, store: Any, contract: VideoInput, studies: StudySet, policy: str,
                 seed: int, train: bool, augment: bool = True) -> None:
        self.bags = StudyBagDataset(store, contract, split=None, views=policy, train=train,
                                    augment=train and augment, seed=seed)
        position = {entry.study_id: i for i, entry in enumerate(self.bags.entries)}
        self.positions = [position[s] for s in studies.study_ids]
        self.studies = studies

    def set_epoch(self, epoch: int) -> None:
        self.bags.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, index: int) -> dict[str, Any]:
        item = self.bags[self.positions[index]]
        return {"videos": item["videos"], "views": item["views"], "slices": item["slices"],
                "targets": torch.from_numpy(self.studies.targets[index]),
                "study_id": item["study_id"]}


def collate_pixels(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Pad clips to [B, Kmax, C, T, H, W] with a mask [B, Kmax]; stack targets."""
    batch = collate_bags(items)
    return {"inputs": batch["videos"], "mask": batch["mask"],
            "targets": torch.stack(batch["targets"]),
            "video_names": [video_names(v, s) for v, s in
                            zip(batch["views"], batch["slices"], strict=True)],
            "study_id": batch["study_id"]}


class EpochSampler(DistributedSampler):
    """A shuffling sampler over this process's share of a dataset that also tells the dataset
    which epoch it is (Lightning calls ``set_epoch`` on the sampler before every epoch)."""

    def set_epoch(self, epoch: int) -> None:
        super().set_epoch(epoch)
        self.dataset.set_epoch(epoch)


class ShardSampler(Sampler[int]):
    """This process's contiguous share of a dataset, in order: shards differ in size by at most
    one and together hold every index exactly once (no padding, unlike DistributedSampler)."""

    def __init__(self, length: int, rank: int, world_size: int) -> None:
        bounds = np.linspace(0, length, world_size + 1).round().astype(int)
        self.indices = range(int(bounds[rank]), int(bounds[rank + 1]))

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)
