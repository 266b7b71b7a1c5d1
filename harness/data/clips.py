"""One item per video: a clip of one view (or SAX slice) of one study, handed over compactly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from cmrbench.data.base import StoreDataset
from cmrbench.data.catalog import StudyEntry
from cmrbench.data.handover import ClipParams, Handover, stack_params
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.temporal import uniform_frame_indices
from cmrbench.data.views import select_videos
from cmrbench.store import StudyStore
from torch.utils.data import default_collate


def read_clip(store: StudyStore, entry: StudyEntry, view: str, slice_index: int,
              handover: Handover, rng: np.random.Generator | None,
              out: np.ndarray | None = None) -> tuple[torch.Tensor, ClipParams]:
    """One video's hand-over: its uniformly subsampled frames, with their parameters.

    Only the frames the encoder will see are read from disk.
    """
    frames = uniform_frame_indices(entry.frames[view], handover.contract.frames)
    cine = store.read_cine(entry.study_id, view, slice_index, frames)
    return handover(cine, rng, out=out)


def collate_clips(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A batch of clip items: "frames" [B, T, S, S], "params" `ClipParams` [B], other keys
    as lists.

    In a DataLoader worker the frames are stacked straight into shared memory (as
    ``default_collate`` does), so reaching the main process costs no copy. Labels stay a
    list of dicts because studies may carry different label sets; building targets from
    them is the task's job.
    """
    if not items:
        raise ValueError("collate_clips got an empty batch; check the sampler's batch size")
    batch: dict[str, Any] = {key: [item[key] for item in items] for key in items[0]}
    batch["frames"] = default_collate(batch["frames"])
    batch["params"] = stack_params(batch["params"])
    return batch


class ClipDataset(StoreDataset):
    """Every video that the ``views`` policy selects from every study of ``split``.

    An item is {"frames": uint8 [T, S, S], "params": `ClipParams`, "study_id", "view",
    "slice", "labels"}, plus "report" with ``sentences`` set (see `StoreDataset`). A random
    policy re-draws its SAX slices each epoch; the number of items never changes.
    """

    _selected: tuple[int | None, list[tuple[StudyEntry, str, int]]] = (None, [])

    collate = staticmethod(collate_clips)

    def set_epoch(self, epoch: int) -> None:
        super().set_epoch(epoch)
        self.items = self.items_for(epoch)

    def items_for(self, epoch: int) -> list[tuple[StudyEntry, str, int]]:
        """(study, view, slice) of every item in ``epoch``; the last epoch's list is kept."""
        if self._selected[0] != epoch:
            self._selected = (epoch, [
                (entry, view, slice_index)
                for position, entry in enumerate(self.entries)
                for view, slice_index in select_videos(
                    entry.slices, self.policy,
                    derive_rng(self.seed, epoch, position, Stream.VIEWS))])
        return self._selected[1]

    def __len__(self) -> int:
        return len(self.items)

    def item(self, epoch: int, index: int) -> dict[str, Any]:
        entry, view, slice_index = self.items_for(epoch)[index]
        frames, params = read_clip(self.store, entry, view, slice_index, self.handover,
                                   self.pixel_rng(epoch, index))
        item: dict[str, Any] = {
            "frames": frames,
            "params": params,
            "study_id": entry.study_id,
            "view": view,
            "slice": slice_index,
            "labels": dict(entry.labels),
        }
        if self.sentences is not None:
            item["report"] = self.sampled_report(epoch, index, entry.study_id)
        return item

