"""One item per study: the bag of videos a multi-instance (attention-pooling) head takes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from cmrbench.data.base import StoreDataset
from cmrbench.data.clips import read_clip
from cmrbench.data.handover import ClipParams, pad_params, stack_params
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.views import select_videos
from torch.utils.data import get_worker_info


def collate_bags(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Pad a batch of bags to the largest: "frames" [B, Kmax, T, S, S], "params"
    `ClipParams` [B, Kmax] and "mask" [B, Kmax].

    ``mask[b, k]`` is True where video k of study b is real; padding is black frames with
    the bag's first geometry and no augmentation, and must be masked out of attention.
    Every video of every bag is kept. Other keys become lists.
    """
    if not items:
        raise ValueError("collate_bags got an empty batch; check the sampler's batch size")
    sizes = [len(item["frames"]) for item in items]
    first = items[0]["frames"]
    frames = _zeros_to_share((len(items), max(sizes), *first.shape[1:]), first.dtype)
    mask = torch.zeros((len(items), max(sizes)), dtype=torch.bool)
    for b, (item, size) in enumerate(zip(items, sizes, strict=True)):
        frames[b, :size] = item["frames"]
        mask[b, :size] = True
    batch: dict[str, Any] = {key: [item[key] for item in items] for key in items[0]}
    params: list[ClipParams] = [pad_params(item["params"], max(sizes)) for item in items]
    batch.update(frames=frames, params=stack_params(params), mask=mask)
    return batch


class StudyBagDataset(StoreDataset):
    """Every study of ``split`` as a bag of the videos the ``views`` policy selects.

    An item is {"frames": uint8 [K, T, S, S], "params": `ClipParams` [K], "views": [K view
    names], "slices": [K slice indices], "study_id", "labels"}, plus "report" with
    ``sentences`` set (see `StoreDataset`). K varies by study; `collate_bags` pads a batch.
    """

    collate = staticmethod(collate_bags)

    def __len__(self) -> int:
        return len(self.entries)

    def item(self, epoch: int, index: int) -> dict[str, Any]:
        entry = self.entries[index]
        selected = select_videos(entry.slices, self.policy,
                                 derive_rng(self.seed, epoch, index, Stream.VIEWS))
        rng = self.pixel_rng(epoch, index)
        size = self.handover.size
        frames = np.zeros((len(selected), self.contract.frames, size, size), np.uint8)
        params = [read_clip(self.store, entry, view, slice_index, self.handover, rng,
                            out=frames[k])[1]
                  for k, (view, slice_index) in enumerate(selected)]
        item: dict[str, Any] = {
            "frames": torch.from_numpy(frames),
            "params": stack_params(params),
            "views": [view for view, _ in selected],
            "slices": [slice_index for _, slice_index in selected],
            "study_id": entry.study_id,
            "labels": dict(entry.labels),
        }
        if self.sentences is not None:
            item["report"] = self.sampled_report(epoch, index, entry.study_id)
        return item




def _zeros_to_share(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """Zeros that a DataLoader worker sends to the main process without copying them.

    In a worker the tensor is born in shared memory, exactly as ``default_collate`` makes
    its batches (otherwise pickling it for the queue would copy it there).
    """
    if get_worker_info() is None:
        return torch.zeros(shape, dtype=dtype)
    storage = torch.empty(0, dtype=dtype)._typed_storage()._new_shared(math.prod(shape))
    return torch.empty(0, dtype=dtype).set_(storage).view(shape).zero_()
