"""Real acquisition quirks the writers plant: failed attempts, moved repeats, oblique slices.

Each helper returns header elements (by keyword) that ``encode_series`` applies over the
rendered geometry, or pixels standing in for a corrupted acquisition. The truth stays the
rendered study: a loader that follows the published conventions stores exactly it.
"""

from __future__ import annotations

import numpy as np
from cmrbench.phantom.study import PhantomStudy, PhantomView
from cmrbench.phantom.writers._dicom import ds_text


def motion_corrupted(frames: np.ndarray, study: PhantomStudy) -> np.ndarray:
    """A breath-hold failure: the image plus a displaced ghost along the phase direction."""
    ghost = np.roll(frames, frames.shape[1] // 4, axis=1).astype(np.float32)
    top = 2 ** study.scanner.bits_stored - 1
    return np.clip(frames + 0.4 * ghost, 0, top).astype(np.uint16)


def displaced(view: PhantomView, slice_index: int, mm: float) -> dict[str, object]:
    """Header elements placing a slice ``mm`` further along the stack's normal: a repeat that
    the operator re-planned a few millimetres away."""
    position = np.asarray(view.positions[slice_index]) + mm * view.normal
    return _placed(position, np.asarray(view.orientation), view.normal)


def tilted(view: PhantomView, slice_index: int, degrees: float) -> dict[str, object]:
    """Header elements of an extra slice through the same image centre, its column direction
    tilted ``degrees`` towards the stack's normal: an oblique slice planned off the stack."""
    orientation = np.asarray(view.orientation)
    row, column = orientation[:3], orientation[3:]
    angle = np.deg2rad(degrees)
    tilted_column = np.cos(angle) * column + np.sin(angle) * view.normal
    rows, columns = view.cine.shape[2:]
    half_rows = 0.5 * (rows - 1) * view.pixel_spacing[0]
    centre = np.asarray(view.positions[slice_index]) + (
        0.5 * (columns - 1) * view.pixel_spacing[1] * row + half_rows * column)
    position = centre - 0.5 * (columns - 1) * view.pixel_spacing[1] * row - (
        half_rows * tilted_column)
    new_orientation = np.concatenate([row, tilted_column])
    return _placed(position, new_orientation, np.cross(row, tilted_column))


def _placed(position: np.ndarray, orientation: np.ndarray, normal: np.ndarray
            ) -> dict[str, object]:
    return {"ImagePositionPatient": [ds_text(float(v)) for v in position],
            "ImageOrientationPatient": [ds_text(float(v), 6) for v in orientation],
            "SliceLocation": ds_text(float(position @ normal))}
