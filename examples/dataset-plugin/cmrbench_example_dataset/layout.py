"""The layout: ROOT/labels.csv, and one 4D NIfTI short-axis cine per study folder.

``discover`` lists the studies and reads the label table (no pixels); ``decode`` reads one
study's cine, in the ingest's worker processes.
"""

import csv
from collections.abc import Iterator
from pathlib import Path

import nibabel as nib
import numpy as np
from cmrbench.cards import DatasetCard
from cmrbench.ingest import LIMITS, Decoded, FileRef, Rejection, SourceStudy, reasons
from cmrbench.ingest.assemble import ORDER_ALONG_NORMAL
from cmrbench.store import ViewVolume, as_storage_dtype

CINE = "cine_sax.nii.gz"
KEYS = ("study_id", "patient_id")
LABELS = ("lvef", "edv_ml", "esv_ml")
TO_MS = {"sec": 1000.0, "msec": 1.0}  # the time units of NIfTI's xyzt_units this layout has


def read_labels(root: Path) -> dict[str, dict[str, str]]:
    """labels.csv: study_id -> its row."""
    path = root / "labels.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the layout has one row per study with "
                                f"columns {[*KEYS, *LABELS]}")
    with open(path, newline="") as table:
        reader = csv.DictReader(table)
        missing = [key for key in KEYS if key not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: no column {missing}; add it (columns: {reader.fieldnames})")
        return {row["study_id"]: row for row in reader}


def discover(root: Path) -> Iterator[SourceStudy]:
    """One study per folder holding a cine; its labels.csv row gives patient and labels.

    A study without a row keeps its folder name as patient and has no labels."""
    root = Path(root)
    rows = read_labels(root)
    for cine in sorted(root.glob(f"*/{CINE}")):
        row = rows.get(cine.parent.name, {})
        labels = {name: float(row[name]) for name in LABELS if row.get(name)}
        # display is how reports name the file: not the folder, whose name is an identifier
        yield SourceStudy(key=cine.parent.name, patient=row.get("patient_id") or cine.parent.name,
                          files=(FileRef(cine, display=CINE),), labels=labels)


def decode(study: SourceStudy, card: DatasetCard) -> Decoded:
    """The cine (X, Y, Z, T) becomes the SAX view [Z, T, Y, X]: slices in ascending position
    along the slice normal, pixel spacing (rows, columns) in mm, frame times in ms."""
    (ref,) = study.files
    image = nib.load(ref.path)
    refusal = _refusal(image.header)
    if refusal:
        return Decoded({}, [Rejection(ref.name, *refusal)])
    dx, dy, dz, dt = (float(zoom) for zoom in image.header.get_zooms())
    positions = _slice_positions(image.affine, image.shape[2])
    order = np.argsort(positions, kind="stable")
    cine = np.transpose(np.asanyarray(image.dataobj), (2, 3, 1, 0))[order]
    frame_ms = dt * TO_MS[image.header.get_xyzt_units()[1]]
    view = ViewVolume(cine=as_storage_dtype(cine), pixel_spacing=(dy, dx), slice_thickness=dz,
                      frame_times_ms=np.arange(cine.shape[1]) * frame_ms,
                      slice_positions_mm=positions[order], series_description="cine SAX",
                      slice_order=ORDER_ALONG_NORMAL)
    return Decoded({"SAX": view})


def _refusal(header) -> tuple[str, str] | None:
    """Why the header is not this layout's cine (a reason and its detail), or None.

    Read before any pixel, so an oversized image is refused unread."""
    shape = header.get_data_shape()
    if len(shape) != 4:
        return reasons.INCONSISTENT_GEOMETRY, f"expected a 4D (X, Y, Z, T) image, got {shape}"
    size = int(np.prod(shape)) * header.get_data_dtype().itemsize
    if size > LIMITS.study_bytes:
        return reasons.OVERSIZED_IMAGE, f"{size} bytes; the limit is {LIMITS.study_bytes}"
    space, time = header.get_xyzt_units()
    if space != "mm" or time not in TO_MS or header.get_zooms()[3] <= 0:
        return reasons.UNSUPPORTED_IMAGE, (f"xyzt_units ({space!r}, {time!r}) and frame "
                                           f"interval {header.get_zooms()[3]}; expected mm, "
                                           f"sec or msec and a positive interval")
    return None


def _slice_positions(affine: np.ndarray, slices: int) -> np.ndarray:
    """Each slice's origin projected on the slice normal (row x column direction), in mm.

    The projection is the same in NIfTI's RAS as in DICOM's LPS (both flip x and y), so the
    positions compare with those of DICOM datasets."""
    rows, columns = (affine[:3, i] / np.linalg.norm(affine[:3, i]) for i in (0, 1))
    origins = affine[:3, 3] + np.arange(slices)[:, None] * affine[:3, 2]
    return np.round(origins @ np.cross(rows, columns), 3)
