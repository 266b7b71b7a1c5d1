"""ACDC (MICCAI 2017): NIfTI SAX cine stacks, ED/ES label maps and Info.cfg diagnoses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nibabel as nib
import numpy as np
from cmrbench import DatasetSpec, hookimpl
from cmrbench.cards import DatasetCard, card_path
from cmrbench.ingest import LIMITS, Decoded, FileRef, Rejection, SourceStudy, reasons
from cmrbench.ingest.assemble import ORDER_ALONG_NORMAL
from cmrbench.plugins.datasets._tables import ejection_fraction
from cmrbench.store import ViewVolume, as_storage_dtype

NAME = "acdc"
LV_CAVITY = 3
PATIENTS = "*/patient[0-9][0-9][0-9]"
TO_MS = {"sec": 1000.0, "msec": 1.0, "usec": 0.001, "unknown": 1.0}  # unknown: as converters
TO_MM = {"meter": 1000.0, "mm": 1.0, "micron": 0.001, "unknown": 1.0}
LPS_FROM_RAS = np.diag([-1.0, -1.0, 1.0])


def read_info(path: Path) -> dict[str, str]:
    """Info.cfg: one "Key: Value" per line."""
    info = {}
    for line in path.read_text().splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            info[key.strip()] = value.strip()
    return info


def patient_folders(root: Path) -> list[Path]:
    """patientNNN folders under ROOT/{training,testing}/, or under ROOT/database/{...}/ as the
    current download unpacks."""
    root = Path(root)
    found = sorted(root.glob(PATIENTS))
    return found or sorted((root / "database").glob(PATIENTS))


def discover(root: Path) -> Iterator[SourceStudy]:
    """Every patient folder (see :func:`patient_folders`) with its Info.cfg labels."""
    for folder in patient_folders(root):
        info_file = folder / "Info.cfg"
        if not info_file.exists():
            continue
        info = read_info(info_file)
        files = tuple(FileRef(p, display=p.name.replace(folder.name, "patient"))
                      for p in sorted(folder.glob("*.nii*")))
        labels: dict[str, object] = {}
        if info.get("Group"):
            labels["group"] = info["Group"]
        for key, label in (("Height", "height_cm"), ("Weight", "weight_kg")):
            if info.get(key):
                labels[label] = float(info[key])
        meta = {"ed_frame": int(info["ED"]) - 1, "es_frame": int(info["ES"]) - 1}
        yield SourceStudy(key=folder.name, patient=folder.name, files=files, labels=labels,
                          meta=meta)


def decode(study: SourceStudy, card: DatasetCard) -> Decoded:
    """The 4D cine becomes the SAX view; ED/ES label maps give EDV, ESV and LVEF.

    Spacing and frame times are converted to mm and ms by the header's ``xyzt_units``; slices
    are ordered by ascending position along the slice normal (as the DICOM layouts), computed
    from the affine in DICOM's LPS so positions compare across datasets.
    """
    by_name = {ref.name: ref for ref in study.files}
    cine_ref = by_name.get("patient_4d.nii.gz")
    if cine_ref is None:
        return Decoded({}, [Rejection("patient_4d.nii.gz", reasons.MISSING,
                                      "the study has no 4D cine")])
    image = nib.load(cine_ref.path)
    shape = image.header.get_data_shape()
    if len(shape) != 4:
        return Decoded({}, [Rejection(cine_ref.name, reasons.INCONSISTENT_GEOMETRY,
                                      f"expected a 4D (X, Y, Z, T) image, got {shape}")])
    declared = int(np.prod(shape)) * image.header.get_data_dtype().itemsize
    if declared > LIMITS.study_bytes:
        return Decoded({}, [Rejection(cine_ref.name, reasons.OVERSIZED_IMAGE,
                                      f"the header declares {declared} bytes, the limit is "
                                      f"{LIMITS.study_bytes}")])
    space, time = image.header.get_xyzt_units()
    if space not in TO_MM or time not in TO_MS:
        return Decoded({}, [Rejection(cine_ref.name, reasons.UNSUPPORTED_IMAGE,
                                      f"xyzt_units ({space!r}, {time!r}) are not a length and a "
                                      f"time; expected {sorted(TO_MM)} and {sorted(TO_MS)}")])
    dx, dy, dz = (float(z) * TO_MM[space] for z in image.header.get_zooms()[:3])
    dt = float(image.header.get_zooms()[3]) * TO_MS[time]
    positions = _slice_positions(image.affine, shape[2]) * TO_MM[space]
    order = np.argsort(positions, kind="stable")
    cine = np.transpose(np.asanyarray(image.dataobj), (2, 3, 1, 0))[order]  # (Z, T, Y, X)
    view = ViewVolume(cine=as_storage_dtype(cine), pixel_spacing=(dy, dx), slice_thickness=dz,
                      frame_times_ms=np.arange(cine.shape[1]) * dt,
                      slice_positions_mm=positions[order],
                      series_description="ACDC cine SAX", slice_order=ORDER_ALONG_NORMAL)
    return Decoded({"SAX": view}, [], _volumes(study, by_name, dx * dy * dz))


def _slice_positions(affine: np.ndarray, slices: int) -> np.ndarray:
    """Each slice's origin projected on the slice normal (row x column direction), in LPS."""
    axes = LPS_FROM_RAS @ affine[:3, :3]
    rows, columns = (axes[:, i] / np.linalg.norm(axes[:, i]) for i in (0, 1))
    normal = np.cross(rows, columns)
    origins = (LPS_FROM_RAS @ affine[:3, 3])[None, :] + np.arange(slices)[:, None] * axes[:, 2]
    return np.round(origins @ normal, 3)


def _volumes(study: SourceStudy, by_name: dict[str, FileRef], voxel_mm3: float
             ) -> dict[str, float]:
    """EDV/ESV (ml) by counting LV-cavity voxels in the ED and ES label maps."""
    volumes = {}
    for phase, key in (("edv_ml", "ed_frame"), ("esv_ml", "es_frame")):
        ref = by_name.get(f"patient_frame{study.meta[key] + 1:02d}_gt.nii.gz")
        if ref is None:
            return {}
        labels = np.asanyarray(nib.load(ref.path).dataobj)
        volumes[phase] = round(float((labels == LV_CAVITY).sum()) * voxel_mm3 / 1000.0, 3)
    volumes["lvef"] = ejection_fraction(volumes["edv_ml"], volumes["esv_ml"])
    return volumes


@hookimpl
def cmrbench_datasets() -> list[DatasetSpec]:
    return [DatasetSpec(name=NAME, description="ACDC: 150 NIfTI SAX cines, 5 diagnosis groups",
                        discover=discover, decode=decode, views=("SAX",),
                        labels={"group": "categorical", "edv_ml": "continuous",
                                "esv_ml": "continuous", "lvef": "continuous",
                                "height_cm": "continuous", "weight_kg": "continuous"},
                        card=card_path(NAME))]
