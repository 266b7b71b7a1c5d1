"""What the datasets need to know about each study, gathered once when a dataset is built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmrbench.store import StudyStore


@dataclass(frozen=True)
class StudyEntry:
    """One study's shape and labels: slices, frames and frame size per view, without pixels."""

    study_id: str
    slices: dict[str, int]
    frames: dict[str, int]
    sizes: dict[str, tuple[int, int]]
    labels: dict[str, Any]


def open_store(store: StudyStore | Path | str) -> StudyStore:
    """``store`` itself, or the store at that path."""
    return store if isinstance(store, StudyStore) else StudyStore(store)


def study_ids(store: StudyStore, split: str | None, with_report: bool = False,
              only: Sequence[str] | None = None) -> list[str]:
    """The studies of ``split`` (all when None), only those with a report if ``with_report``.

    Splits come from the index's ``split`` column; naming a split that has no study is an
    error, since an empty dataset would train on nothing without saying so. ``only`` keeps
    just these studies, in this order (a study it names must be in the store).
    """
    index = store.index
    if only is not None:
        missing = sorted(set(only) - set(index["study_id"]))
        if missing:
            raise ValueError(f"{len(missing)} of the studies asked for are not in the store "
                             f"{store.root}, e.g. {missing[:3]}")
        index = index.set_index("study_id", drop=False).loc[list(only)]
    if split is not None:
        index = index[index["split"] == split]
        if index.empty:
            present = sorted(set(store.index["split"]))
            raise ValueError(f"split {split!r} has no studies in the store {store.root}; "
                             f"splits present: {present}")
    if with_report:
        index = index[index["has_report"]]
    return list(index["study_id"])


def load_entry(store: StudyStore, study_id: str) -> StudyEntry:
    """Read one study's view shapes and labels from the store (pixels are not read)."""
    shapes = store.shapes(study_id)
    slices = {view: shape[0] for view, shape in shapes.items()}
    frames = {view: shape[1] for view, shape in shapes.items()}
    sizes = {view: (shape[2], shape[3]) for view, shape in shapes.items()}
    return StudyEntry(study_id, slices, frames, sizes, store.labels(study_id))
