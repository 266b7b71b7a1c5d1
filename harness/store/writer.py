"""Write one study to one HDF5 file, atomically: a crash never leaves a half-written study."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
from cmrbench.files import atomic_write
from cmrbench.store.record import StudyRecord

FORMAT_VERSION = 1
STUDIES_DIR = "studies"


def study_path(store: Path, study_id: str) -> Path:
    return Path(store) / STUDIES_DIR / f"{study_id}.h5"


def write_study(store: Path, record: StudyRecord) -> Path:
    """Write ``record`` to ``store/studies/<study_id>.h5`` via a temporary file and a rename.

    The rename is atomic on POSIX, so readers (and a resumed ingest) only ever see complete
    files. Files are written without timestamps, so the same study gives the same bytes.
    """
    final = study_path(store, record.study_id)
    with atomic_write(final) as partial, h5py.File(partial, "w", track_order=True) as h5:
        _fill(h5, record)
    return final


def _fill(h5: h5py.File, record: StudyRecord) -> None:
    h5.attrs["format_version"] = FORMAT_VERSION
    h5.attrs["study_id"] = record.study_id
    h5.attrs["patient_id"] = record.patient_id
    h5.attrs["dataset"] = record.dataset
    h5.attrs["labels"] = json.dumps(record.labels, sort_keys=True)
    h5.attrs["meta"] = json.dumps(record.meta, sort_keys=True)
    if record.report is not None:
        h5.attrs["report"] = record.report
    views = h5.create_group("views", track_order=True)
    for name, view in record.views.items():
        group = views.create_group(name)
        slices, frames, height, width = view.cine.shape
        group.create_dataset("cine", data=view.cine, chunks=(1, frames, height, width),
                             track_times=False)
        group.create_dataset("frame_times_ms", data=np.asarray(view.frame_times_ms, "f8"),
                             track_times=False)
        group.create_dataset("slice_positions_mm", data=np.asarray(view.slice_positions_mm, "f8"),
                             track_times=False)
        group.attrs["pixel_spacing"] = np.asarray(view.pixel_spacing, "f8")
        group.attrs["slice_thickness"] = float(view.slice_thickness)
        group.attrs["series_description"] = view.series_description
        group.attrs["slice_order"] = view.slice_order
