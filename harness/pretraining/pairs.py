"""Video-report pairs: which studies pretraining uses, and how a study's videos become pairs.

A pair is one video clip and ``sentences`` sentences sampled from its study's report (SPEC §1:
5 random sentences per scan per step). How a study's several videos (4CH, 2CH, 3CH, SAX slices)
become pairs is a named choice, :data:`PAIRINGS`:

- ``random-video``: one item per study; each epoch draws one of the videos the view policy
  selects, so every step sees each study once, paired with its report.
- ``every-video``: one item per selected video; a study contributes as many pairs as it has
  videos, each with its own sentence sample. Videos of one study can meet in a batch, where
  each is a negative for the other's report.
- ``study-mean``: one item per study holding all its selected videos; the video side of the
  pair is the L2-normalised mean of their embeddings, which is how retrieval and zero-shot
  prediction embed a study. Costs one encoder pass per video of the study.

Every draw (video, sentences, augmentation) comes from (seed, epoch, index), as everywhere in
the data pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from cmrbench.data import ClipDataset, StudyBagDataset, collate_clips
from cmrbench.data.base import StoreDataset
from cmrbench.data.clips import read_clip
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.views import ViewPolicy, select_videos
from cmrbench.specs import VideoInput
from cmrbench.splits import SplitRoles
from cmrbench.store import StudyStore

PAIRINGS = ("random-video", "every-video", "study-mean")


class PretrainingDataError(ValueError):
    """No usable pretraining study in a role; the message says what the card and store hold."""


def pretraining_studies(index: pd.DataFrame, roles: SplitRoles, role: str) -> list[str]:
    """The studies of the pretraining ``role`` ('pretrain' or 'pretrain_val') with a report."""
    in_role = index["split"].map(roles.pretrain_role) == role
    with_report = index["has_report"].astype(bool)
    chosen = index[in_role & with_report]
    if chosen.empty:
        split = getattr(roles, role)
        present = sorted(set(index["split"]))
        reports = int((in_role & ~with_report).sum())
        raise PretrainingDataError(
            f"no study with a report plays the {role!r} role: the card sends split {split!r} "
            f"to it ({reports} of its studies lack a report); the store's splits are {present}. "
            f"Set roles.{role} in the card (pass --card) to a split with reported studies")
    return list(chosen["study_id"])


class RandomVideoPairs(StoreDataset):
    """One item per study: a video drawn from those the view policy selects, each epoch anew.

    An item is {"frames", "params", "study_id", "view", "slice", "report"}, as a
    :class:`~cmrbench.data.ClipDataset` item with ``sentences`` set.
    """

    collate = staticmethod(collate_clips)

    def __len__(self) -> int:
        return len(self.entries)

    def item(self, epoch: int, index: int) -> dict[str, Any]:
        entry = self.entries[index]
        rng = derive_rng(self.seed, epoch, index, Stream.VIEWS)
        videos = select_videos(entry.slices, self.policy, rng)
        view, slice_index = videos[int(rng.integers(len(videos)))]
        frames, params = read_clip(self.store, entry, view, slice_index, self.handover,
                                   self.pixel_rng(epoch, index))
        return {"frames": frames, "params": params, "study_id": entry.study_id, "view": view,
                "slice": slice_index, "report": self.sampled_report(epoch, index,
                                                                     entry.study_id)}


def pair_dataset(pairing: str, store: StudyStore, contract: VideoInput, studies: Sequence[str],
                 *, views: ViewPolicy, sentences: int, train: bool, augment: bool,
                 seed: int) -> StoreDataset:
    """The pairs of ``studies`` under ``pairing`` (one of :data:`PAIRINGS`)."""
    kinds = {"random-video": RandomVideoPairs, "every-video": ClipDataset,
             "study-mean": StudyBagDataset}
    if pairing not in kinds:
        raise ValueError(f"pairs: {pairing!r} is not one of {list(PAIRINGS)}")
    return kinds[pairing](store, contract, views=views, train=train, augment=augment,
                          seed=seed, sentences=sentences, studies=list(studies))
