"""ACDC layout: ``database/{training,testing}/patientNNN/`` with NIfTI cines, ED/ES frames and
labels, as the current download unpacks (beside ``MANDATORY_CITATION.md``).

Per patient: ``patientNNN_4d.nii.gz`` (X, Y, Z, T), ``patientNNN_frameXX.nii.gz`` and
``patientNNN_frameXX_gt.nii.gz`` at end-diastole and end-systole (1-based frame numbers; labels
0 background, 1 RV cavity, 2 myocardium, 3 LV cavity) and ``Info.cfg`` (ED, ES, Group, Height,
NbFrame, Weight). Patients 001-100 go to ``training``, later ones to ``testing``. The NIfTI
affine maps voxels to RAS millimetres; gzip members carry no timestamp, so bytes are
reproducible. Every second patient's headers give time in seconds (``xyzt_units`` mm + sec,
as dcm2niix writes them), the others in milliseconds: loaders must honour the units (planted
quirk ``nifti_seconds``).
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
DATABASE = "database"
CITATION_FILE = "MANDATORY_CITATION.md"
NIFTI_SECONDS = "nifti_seconds"
_CITATION = ("# Mandatory citation\n\nPhantom stand-in for the ACDC download. Cite: Bernard O. "
             "et al., IEEE TMI 37(11):2514-2525, 2018.\n")
_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write every study as an ACDC patient folder; return the planted quirks."""
    planted = {}
    for study in studies:
        number = int(study.study_id.removeprefix("patient"))
        split = "training" if number <= TRAINING_PATIENTS else "testing"
        folder = out / DATABASE / split / study.study_id
        folder.mkdir(parents=True, exist_ok=True)
        seconds = number % 2 == 0
        _write_patient(study, folder, "sec" if seconds else "msec")
        if seconds:
            planted[study.study_id] = NIFTI_SECONDS
    (out / DATABASE / CITATION_FILE).write_text(_CITATION)
    return planted


def _write_patient(study: PhantomStudy, folder: Path, time_unit: str) -> None:
    sax = study.views["SAX"]
    affine = nifti_affine(sax)
    frame_ms = float(np.mean(np.diff(sax.trigger_times)))
    name = study.study_id
    cine = np.transpose(sax.cine, (3, 2, 0, 1)).astype(np.int16)  # (X, Y, Z, T)
    step = frame_ms / 1000.0 if time_unit == "sec" else frame_ms
    _save(nib.Nifti1Image(cine, affine), folder / f"{name}_4d.nii.gz", time_unit, step)
    for frame in (study.ed_frame, study.es_frame):
        stem = f"{name}_frame{frame + 1:02d}"
        image = np.transpose(sax.cine[:, frame], (2, 1, 0)).astype(np.int16)
        labels = np.transpose(sax.labels[:, frame], (2, 1, 0))
        _save(nib.Nifti1Image(image, affine), folder / f"{stem}.nii.gz", time_unit)
        _save(nib.Nifti1Image(labels, affine), folder / f"{stem}_gt.nii.gz", time_unit)
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


def _save(image: nib.Nifti1Image, path: Path, time_unit: str, step: float | None = None
          ) -> None:
    """Save as .nii.gz without the gzip timestamp nibabel's own writer would embed.

    ``step`` is the time between frames in ``time_unit`` (4D images only).
    """
    image.header.set_xyzt_units("mm", time_unit)
    image.set_sform(image.affine, code=1)
    image.set_qform(image.affine, code=1)
    if step is not None:
        image.header.set_zooms(image.header.get_zooms()[:3] + (step,))
    path.write_bytes(gzip.compress(image.to_bytes(), compresslevel=1, mtime=0))
