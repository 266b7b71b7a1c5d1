"""Read studies back from a store: the index, views, labels and reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd
from cmrbench.store.index import read_index
from cmrbench.store.writer import study_path


class StudyStore:
    """A directory of per-study HDF5 files plus ``index.csv``.

    Files are opened per call and closed again, so a store can be shared by DataLoader workers
    (h5py handles must not cross a fork).
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.index: pd.DataFrame = read_index(self.root)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def study_ids(self) -> list[str]:
        return list(self.index["study_id"])

    def _open(self, study_id: str) -> h5py.File:
        path = study_path(self.root, study_id)
        if not path.exists():
            raise KeyError(f"study {study_id!r} is not in the store {self.root}")
        return h5py.File(path, "r")

    def views(self, study_id: str) -> dict[str, int]:
        """View name -> number of slices, for one study."""
        return {view: shape[0] for view, shape in self.shapes(study_id).items()}

    def shapes(self, study_id: str) -> dict[str, tuple[int, int, int, int]]:
        """View name -> cine shape (slices, frames, height, width); no pixel is read."""
        with self._open(study_id) as h5:
            return {name: tuple(group["cine"].shape) for name, group in h5["views"].items()}

    def read_cine(self, study_id: str, view: str, slice_index: int = 0,
                  frames: np.ndarray | None = None) -> np.ndarray:
        """One slice's cine [frames, H, W], or only the requested frames (any order, repeats).

        The frames are read as one contiguous range and picked in memory: a slice is one HDF5
        chunk, and h5py's fancy indexing over a chunk costs ~50x a contiguous read.
        """
        with self._open(study_id) as h5:
            if view not in h5["views"]:
                raise KeyError(f"study {study_id!r} has no {view} view; it has "
                               f"{sorted(h5['views'])}")
            data = h5[f"views/{view}/cine"]
            if frames is None:
                return data[slice_index]
            order = np.asarray(frames)
            first, last = int(order.min()), int(order.max())
            return data[slice_index, first:last + 1][order - first]

    def geometry(self, study_id: str, view: str) -> dict[str, Any]:
        """Pixel spacing, slice thickness, frame times, slice positions and order of a view."""
        with self._open(study_id) as h5:
            group = h5[f"views/{view}"]
            return {
                "pixel_spacing": tuple(group.attrs["pixel_spacing"]),
                "slice_thickness": float(group.attrs["slice_thickness"]),
                "frame_times_ms": group["frame_times_ms"][()],
                "slice_positions_mm": group["slice_positions_mm"][()],
                "series_description": str(group.attrs["series_description"]),
                "slice_order": str(group.attrs.get("slice_order", "")),
            }

    def labels(self, study_id: str) -> dict[str, Any]:
        with self._open(study_id) as h5:
            return json.loads(h5.attrs["labels"])

    def report(self, study_id: str) -> str | None:
        with self._open(study_id) as h5:
            return str(h5.attrs["report"]) if "report" in h5.attrs else None
