"""Where the heart sits in the patient and where the scanner puts its image planes.

Patient coordinates are DICOM's LPS millimetres (x to the patient's left, y posterior, z head).
A plane carries exactly what DICOM needs (ImagePositionPatient of the first pixel, the two
ImageOrientationPatient directions, PixelSpacing) and can list its pixel centres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from cmrbench.phantom.geometry import HeartShape

VIEWS = ("SAX", "4CH", "3CH", "2CH")
MIN_SLICES = 6
MAX_SLICES = 14
_ANTERIOR = np.array([0.0, -1.0, 0.0])


@dataclass(frozen=True, eq=False)
class Pose:
    """The heart's frame in patient coordinates: base-plane centre and axes as columns."""

    origin: np.ndarray  # (3,) centre of the LV base plane
    axes: np.ndarray  # (3, 3) columns: x (free wall side), y (anterior), z (base to apex)

    def to_heart(self, points: np.ndarray) -> np.ndarray:
        """Patient points (..., 3) in heart coordinates (..., 3)."""
        return (points - self.origin) @ self.axes


@dataclass(frozen=True, eq=False)
class Plane:
    """One image plane with DICOM geometry."""

    position: np.ndarray  # ImagePositionPatient: centre of the first transmitted pixel
    row_dir: np.ndarray  # direction of increasing column index (first IOP triple)
    col_dir: np.ndarray  # direction of increasing row index (second IOP triple)
    spacing: tuple[float, float]  # PixelSpacing: (between rows, between columns) in mm
    shape: tuple[int, int]  # (rows, columns)

    @property
    def orientation(self) -> tuple[float, ...]:
        """ImageOrientationPatient as six numbers."""
        return tuple(float(v) for v in np.concatenate([self.row_dir, self.col_dir]))

    @property
    def normal(self) -> np.ndarray:
        return np.cross(self.row_dir, self.col_dir)

    def points(self) -> np.ndarray:
        """Patient coordinates of every pixel centre, shape (rows, columns, 3)."""
        rows = np.arange(self.shape[0])[:, None, None] * self.spacing[0] * self.col_dir
        cols = np.arange(self.shape[1])[None, :, None] * self.spacing[1] * self.row_dir
        return self.position + rows + cols


@dataclass(frozen=True)
class Imaging:
    """How one study is imaged: field of view, matrix, slices and in-plane rotation."""

    pixel_mm: float
    matrix: tuple[int, int]  # (rows, columns)
    slice_thickness_mm: float
    slice_spacing_mm: float
    n_slices: int
    rotation_deg: float
    offset_mm: tuple[float, float]  # heart centre's offset from the image centre


def sample_pose(rng: np.random.Generator) -> Pose:
    """The heart's position and long-axis direction, varying between patients."""
    apex_dir = np.array([0.55, -0.55, -0.6]) + rng.normal(0.0, 0.07, 3)
    ez = apex_dir / np.linalg.norm(apex_dir)
    ey = _ANTERIOR - (_ANTERIOR @ ez) * ez
    ey /= np.linalg.norm(ey)
    ex = np.cross(ey, ez)
    origin = np.array([rng.uniform(0.0, 15.0), rng.uniform(-10.0, 5.0), rng.uniform(-10.0, 10.0)])
    return Pose(origin, np.stack([ex, ey, ez], axis=1))


def plan_stack(shape: HeartShape, spacing_mm: float) -> tuple[int, float]:
    """Slice count and spacing so the stack covers the whole end-diastolic LV cavity.

    The first slice lies half a slab above the base plane (showing the atria); slab k >= 1
    spans [(k - 1) s, k s] below it, so the slab edges meet the base plane exactly.
    """
    depth = shape.lv_equator + shape.lv_length
    n = math.ceil(depth / spacing_mm) + 1
    if n > MAX_SLICES:
        spacing_mm = math.ceil(2.0 * depth / (MAX_SLICES - 1)) / 2.0
        n = math.ceil(depth / spacing_mm) + 1
    return max(n, MIN_SLICES), spacing_mm


def sax_planes(pose: Pose, imaging: Imaging) -> list[Plane]:
    """Short-axis planes from base to apex, perpendicular to the long axis."""
    ex, ey, ez = pose.axes.T
    u, v = _rotate(ex, -ey, imaging.rotation_deg)
    centre = pose.origin + imaging.offset_mm[0] * ex + imaging.offset_mm[1] * ey
    s = imaging.slice_spacing_mm
    return [_plane(centre + (k - 0.5) * s * ez, u, v, imaging)
            for k in range(imaging.n_slices)]


def lax_plane(pose: Pose, shape: HeartShape, view: str, imaging: Imaging) -> Plane:
    """A long-axis plane through the LV axis: 4CH, 3CH or 2CH, apex at the top of the image."""
    psi = {"4CH": shape.theta_rv + np.pi, "3CH": shape.theta_aorta + np.pi,
           "2CH": shape.theta_rv - np.pi / 2}[view]
    ex, ey, ez = pose.axes.T
    across = np.cos(psi) * ex + np.sin(psi) * ey
    # long-axis views keep the apex up: only the site's small tilt applies, not its 90° turns
    tilt = imaging.rotation_deg - round(imaging.rotation_deg / 90.0) * 90.0
    u, v = _rotate(across, -ez, tilt)
    depth = 0.5 * (shape.apex_depth - 60.0)  # halfway between the atria and the apex
    centre = pose.origin + depth * ez + imaging.offset_mm[0] * across
    return _plane(centre, u, v, imaging)


def _rotate(u: np.ndarray, v: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    a = np.deg2rad(degrees)
    return np.cos(a) * u + np.sin(a) * v, -np.sin(a) * u + np.cos(a) * v


def _plane(centre: np.ndarray, u: np.ndarray, v: np.ndarray, imaging: Imaging) -> Plane:
    rows, cols = imaging.matrix
    p = imaging.pixel_mm
    position = centre - 0.5 * (cols - 1) * p * u - 0.5 * (rows - 1) * p * v
    return Plane(position, u, v, (p, p), (rows, cols))
