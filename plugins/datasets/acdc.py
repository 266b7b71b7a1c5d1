"""ACDC (MICCAI 2017): NIfTI SAX cine stacks, ED/ES label maps and Info.cfg diagnoses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nibabel as nib
import numpy as np
from cmrbench import DatasetSpec, hookimpl
from cmrbench.cards import DatasetCard, card_path
from cmrbench.ingest import Decoded, FileRef, Rejection, SourceStudy
from cmrbench.plugins.datasets._tables import ejection_fraction
from cmrbench.store import ViewVolume, as_storage_dtype

NAME = "acdc"
LV_CAVITY = 3


def read_info(path: Path) -> dict[str, str]:
    """Info.cfg: one "Key: Value" per line."""
    info = {}
    for line in path.read_text().splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            info[key.strip()] = value.strip()
    return info


def discover(root: Path) -> Iterator[SourceStudy]:
    """Every patientNNN folder under training/ and testing/ with its Info.cfg labels."""
    for folder in sorted(Path(root).glob("*/patient[0-9][0-9][0-9]")):
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
    """The 4D cine becomes the SAX view; ED/ES label maps give EDV, ESV and LVEF."""
    by_name = {ref.name: ref for ref in study.files}
    cine_ref = by_name.get("patient_4d.nii.gz")
    if cine_ref is None:
        return Decoded({}, [Rejection("patient_4d.nii.gz", "missing", "the study has no 4D cine")])
    image = nib.load(cine_ref.path)
    data = np.asanyarray(image.dataobj)
    if data.ndim != 4:
        return Decoded({}, [Rejection(cine_ref.name, "inconsistent geometry",
                                      f"expected a 4D (X, Y, Z, T) image, got {data.shape}")])
    dx, dy, dz, dt = (float(z) for z in image.header.get_zooms()[:4])
    cine = np.transpose(data, (2, 3, 1, 0))  # (X, Y, Z, T) -> (Z, T, rows=Y, cols=X)
    view = ViewVolume(cine=as_storage_dtype(cine), pixel_spacing=(dy, dx), slice_thickness=dz,
                      frame_times_ms=np.arange(cine.shape[1]) * dt,
                      slice_positions_mm=np.arange(cine.shape[0]) * dz,
                      series_description="ACDC cine SAX")
    return Decoded({"SAX": view}, [], _volumes(study, by_name, dx * dy * dz))


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
