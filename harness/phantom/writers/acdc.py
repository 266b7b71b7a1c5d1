"""ACDC layout: ``{training,testing}/patientNNN/`` with NIfTI cines, ED/ES frames and labels.

Per patient: ``patientNNN_4d.nii.gz`` (X, Y, Z, T), ``patientNNN_frameXX.nii.gz`` and
``patientNNN_frameXX_gt.nii.gz`` at end-diastole and end-systole (1-based frame numbers; labels
0 background, 1 RV cavity, 2 myocardium, 3 LV cavity) and ``Info.cfg`` (ED, ES, Group, Height,
NbFrame, Weight). Patients 001-100 go to ``training``, later ones to ``testing``. The NIfTI
affine maps voxels to RAS millimetres; gzip members carry no timestamp, so bytes are
reproducible.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import nibabel as nib
import numpy as np
from cmrbench.phantom.study import PhantomStudy, PhantomView

REQUIRED_VIEWS = ("SAX",)
TRAINING_PATIENTS = 100
_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write every study as an ACDC patient folder; ACDC has no planted quirks."""
    for study in studies:
        number = int(study.study_id.removeprefix("patient"))
        split = "training" if number <= TRAINING_PATIENTS else "testing"
        folder = out / split / study.study_id
        folder.mkdir(parents=True, exist_ok=True)
        _write_patient(study, folder)
    return {}


def _write_patient(study: PhantomStudy, folder: Path) -> None:
    sax = study.views["SAX"]
    affine = nifti_affine(sax)
    frame_ms = float(np.mean(np.diff(sax.trigger_times)))
    name = study.study_id
    cine = np.transpose(sax.cine, (3, 2, 0, 1)).astype(np.int16)  # (X, Y, Z, T)
    _save(nib.Nifti1Image(cine, affine), folder / f"{name}_4d.nii.gz", frame_ms)
    for frame in (study.ed_frame, study.es_frame):
        stem = f"{name}_frame{frame + 1:02d}"
        image = np.transpose(sax.cine[:, frame], (2, 1, 0)).astype(np.int16)
        labels = np.transpose(sax.labels[:, frame], (2, 1, 0))
        _save(nib.Nifti1Image(image, affine), folder / f"{stem}.nii.gz")
        _save(nib.Nifti1Image(labels, affine), folder / f"{stem}_gt.nii.gz")
    (folder / "Info.cfg").write_text(
        f"ED: {study.ed_frame + 1}\nES: {study.es_frame + 1}\nGroup: {study.group}\n"
        f"Height: {study.height_cm:.1f}\nNbFrame: {sax.n_frames}\nWeight: {study.weight_kg:.1f}\n")


def nifti_affine(view: PhantomView) -> np.ndarray:
    """Voxel (column, row, slice) to RAS millimetres for a view's stack."""
    orientation = np.asarray(view.orientation)
    positions = np.asarray(view.positions)
    if len(positions) > 1:
        slice_dir = (positions[1] - positions[0]) / view.slice_spacing
    else:
        slice_dir = view.normal
    affine = np.eye(4)
    affine[:3, 0] = orientation[:3] * view.pixel_spacing[1]
    affine[:3, 1] = orientation[3:] * view.pixel_spacing[0]
    affine[:3, 2] = slice_dir * view.slice_spacing
    affine[:3, 3] = positions[0]
    affine[:3] = _LPS_TO_RAS @ affine[:3]
    return affine


def _save(image: nib.Nifti1Image, path: Path, frame_ms: float | None = None) -> None:
    """Save as .nii.gz without the gzip timestamp nibabel's own writer would embed."""
    image.header.set_xyzt_units("mm", "msec")
    image.set_sform(image.affine, code=1)
    image.set_qform(image.affine, code=1)
    if frame_ms is not None:
        image.header.set_zooms(image.header.get_zooms()[:3] + (frame_ms,))
    path.write_bytes(gzip.compress(image.to_bytes(), compresslevel=1, mtime=0))
