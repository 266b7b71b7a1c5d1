"""What the clip and study-bag datasets share: the store, the studies, transform and seeds."""

from __future__ import annotations

from pathlib import Path

from cmrbench.data.catalog import load_entry, open_store, study_ids
from cmrbench.data.reports import sample_sentences
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.transforms import ClipTransform
from cmrbench.data.views import VIEW_POLICIES, ViewPolicy
from cmrbench.specs import VideoInput
from cmrbench.store import StudyStore
from torch.utils.data import Dataset


class StoreDataset(Dataset):
    """The studies of ``split`` with their shapes and labels, a `ClipTransform` and a seed.

    With ``sentences`` set, only studies with a report are kept (the others' IDs are in
    ``without_report``) and items carry that many sentences sampled from the report.
    Randomness comes from (``seed``, epoch, index) alone: call `set_epoch` each epoch, before
    the DataLoader starts its workers (with ``persistent_workers`` they keep the old epoch).
    """

    def __init__(self, store: StudyStore | Path | str, contract: VideoInput,
                 split: str | None = None, views: ViewPolicy = "reference", train: bool = False,
                 augment: bool = True, seed: int = 0, sentences: int | None = None) -> None:
        if views not in VIEW_POLICIES:
            raise ValueError(f"unknown view policy {views!r}; choose one of "
                             f"{list(VIEW_POLICIES)}")
        if sentences is not None and sentences < 1:
            raise ValueError(f"sentences must be at least 1 (or None for no report), "
                             f"got {sentences}")
        self.store = open_store(store)
        self.transform = ClipTransform(contract, train=train, augment=augment)
        self.policy = views
        self.seed = seed
        self.sentences = sentences
        ids = study_ids(self.store, split, with_report=sentences is not None)
        self.without_report = sorted(set(study_ids(self.store, split)) - set(ids))
        self.entries = [load_entry(self.store, study_id) for study_id in ids]
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Re-draw random choices for ``epoch`` (same epoch and seed: the same items)."""
        self.epoch = epoch

    def sampled_report(self, index: int, study_id: str) -> str:
        """``sentences`` sentences of the study's report, drawn for this item and epoch."""
        rng = derive_rng(self.seed, self.epoch, index, Stream.REPORT)
        return sample_sentences(self.store.report(study_id), self.sentences, rng)
