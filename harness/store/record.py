"""What one ingested study is: de-identified IDs, its views as cine arrays, labels and report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

VIEWS = ("4CH", "3CH", "2CH", "SAX")


def as_storage_dtype(cine: np.ndarray) -> np.ndarray:
    """uint16 when the pixels fit (as MR magnitudes do), float32 otherwise; C-contiguous."""
    if np.issubdtype(cine.dtype, np.integer) and cine.min() >= 0 and cine.max() < 2**16:
        return np.ascontiguousarray(cine, dtype=np.uint16)
    return np.ascontiguousarray(cine, dtype=np.float32)


@dataclass(frozen=True)
class ViewVolume:
    """One view of a study: a cine per slice, [slices, frames, height, width].

    Long-axis views have one slice; the SAX stack has one per position. ``slice_order`` says
    how the slices are ordered (the ingest states it per view: base to apex where the source
    numbers its slices, ascending position along the slice normal otherwise), and
    ``slice_positions_mm`` gives each slice's position along the stack's normal. Geometry and
    timing travel with the pixels so nothing downstream has to guess them.
    """

    cine: np.ndarray
    pixel_spacing: tuple[float, float]
    slice_thickness: float
    frame_times_ms: np.ndarray
    slice_positions_mm: np.ndarray
    series_description: str = ""
    slice_order: str = ""

    def __post_init__(self) -> None:
        if self.cine.ndim != 4:
            raise ValueError(f"ViewVolume.cine must be [slices, frames, height, width], "
                             f"got shape {self.cine.shape}")
        slices, frames = self.cine.shape[:2]
        if len(self.frame_times_ms) != frames:
            raise ValueError(f"ViewVolume.frame_times_ms has {len(self.frame_times_ms)} values "
                             f"for {frames} frames")
        if len(self.slice_positions_mm) != slices:
            raise ValueError(f"ViewVolume.slice_positions_mm has {len(self.slice_positions_mm)} "
                             f"values for {slices} slices")


@dataclass(frozen=True)
class StudyRecord:
    """A study ready to be written: IDs are already de-identified (salted hashes)."""

    study_id: str
    patient_id: str
    dataset: str
    views: dict[str, ViewVolume]
    labels: dict[str, Any] = field(default_factory=dict)
    report: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.views) - set(VIEWS))
        if unknown:
            raise ValueError(f"StudyRecord.views has unknown view(s) {unknown}; "
                             f"map series to one of {list(VIEWS)}")
        if not self.views:
            raise ValueError(f"StudyRecord {self.study_id!r} has no views")
