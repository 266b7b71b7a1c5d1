"""The phantom's data model: a study with its truth, its report and its rendered views."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from cmrbench.phantom.anatomy import Anatomy
from cmrbench.phantom.appearance import Site
from cmrbench.phantom.identity import Identity


@dataclass(frozen=True, eq=False)
class PhantomView:
    """One view's cine: SAX has one slice per short-axis plane (base first), LAX has one.

    ``cine`` and ``labels`` are [slices, frames, rows, columns]; labels use ACDC's values
    (0 background, 1 RV cavity, 2 LV myocardium, 3 LV cavity). ``positions`` are the
    ImagePositionPatient of each slice, ``orientation`` the ImageOrientationPatient (LPS, mm).
    """

    name: str
    cine: np.ndarray
    labels: np.ndarray
    pixel_spacing: tuple[float, float]  # (between rows, between columns), as DICOM
    slice_thickness: float
    slice_spacing: float  # distance between neighbouring slice centres
    positions: tuple[tuple[float, float, float], ...]
    orientation: tuple[float, ...]
    trigger_times: tuple[float, ...]  # ms after the R wave, one per frame

    @property
    def n_slices(self) -> int:
        return self.cine.shape[0]

    @property
    def n_frames(self) -> int:
        return self.cine.shape[1]

    @property
    def normal(self) -> np.ndarray:
        """Unit normal of the slices (row direction × column direction)."""
        o = np.asarray(self.orientation)
        return np.cross(o[:3], o[3:])

    @property
    def voxel_volume_ml(self) -> float:
        """Volume represented by one label voxel (pixel area × slice spacing), in ml."""
        return self.pixel_spacing[0] * self.pixel_spacing[1] * self.slice_spacing / 1000.0


@dataclass(frozen=True, eq=False)
class PhantomStudy:
    """One imaging study with exact ground truth.

    Volumes are in ml, ``lvef`` in percent, frames 0-based (end-diastole is frame 0).
    """

    study_id: str
    patient_id: str
    group: str
    scanner: Site
    edv_ml: float
    esv_ml: float
    lvef: float
    rv_edv_ml: float
    rv_esv_ml: float
    wall_thickness_mm: float
    findings: dict[str, bool]
    report: str
    height_cm: float
    weight_kg: float
    ed_frame: int
    es_frame: int
    heart_rate_bpm: float
    views: dict[str, PhantomView]
    identity: Identity
    anatomy: Anatomy
    layout: str | None  # the layout whose identifiers and sites the study was made for
    cohort_seed: int

    @property
    def site(self) -> str:
        return self.scanner.name

    @property
    def vendor(self) -> str:
        return self.scanner.vendor

    @property
    def rvef(self) -> float:
        return 100.0 * (self.rv_edv_ml - self.rv_esv_ml) / self.rv_edv_ml
