"""Clinical HDF5 layout: the clinical cohort as the reference pipeline's toolkit stores it.

``<institution>_<MRN>/<accession>.h5`` per scan, as rohanshad/cmr_toolkit's
``utils/preprocess_mri.py`` writes it: one gzip dataset per series, keyed by its
SeriesDescription with ' ' and '/' replaced by '_', holding the series' frames sorted by
SliceLocation then InstanceNumber (a SAX stack is its slices one after another), with the
attributes ``slice_frames`` (the last frame index of every slice but the final one) and
``total_images`` (the series' DICOM files). Images are centre-cropped to a square of 0.75 of
their shorter side, as the toolkit's resize to the native size plus its centre crop does.

Each site's store was made its own way (``SITE_STORES``): "rgb" float32 ``[frames, 3, h, w]``
with three equal channels, or "grey" uint8 ``[frames, h, w]`` rescaled 0-255 over the series;
as preprocessed (raw keys, a one-image localiser included) or after the toolkit's
``utils/build_dataset.py`` (keys 4CH/3CH/2CH/SAX only). truth.csv's ``quirks`` say which.

Beside the folders: ``reports.csv`` and ``labels.csv`` keyed by accession (as the clinical
layout), ``series_map.csv`` (the build step's ``series_description,counts,
cleaned_series_names`` for every key written, built names mapped to themselves, so that it
maps the whole cohort) and ``phi_planted.json`` (for de-identification tests: every MRN and
accession, which the folder and file names carry, and the identifiers in free text: as in the
clinical layout, the localizer's and 4CH series' keys end with the patient's name in a raw
store, and every report ends with identifiers).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import h5py
import numpy as np
from cmrbench.phantom.anatomy import FINDINGS
from cmrbench.phantom.study import PhantomStudy, PhantomView
from cmrbench.phantom.writers._phi import named, with_phi
from cmrbench.phantom.writers.clinical import LOCALIZER, NAMED_VIEWS
from cmrbench.phantom.writers.clinical import _write_csv as write_csv

REQUIRED_VIEWS = ("SAX", "4CH", "3CH", "2CH")
SITE_STORES: dict[str, tuple[str, bool]] = {  # site -> (array mode, renamed by the build step)
    "SITE_A": ("rgb", False),
    "SITE_B": ("grey", False),
    "SITE_C": ("grey", True),
    "SITE_D": ("rgb", True),
}
CROP = 0.75
SERIES_MAP_FILE = "series_map.csv"
PHI_FILE = "phi_planted.json"
Series = tuple[str, str, np.ndarray, list[int]]  # key, view ("" if none), frames, slice_frames


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write every scan, the CSVs and the planted identifiers; quirks name each store's kind."""
    reports, labels, planted, quirks = [], [], {}, {}
    keys: Counter[tuple[str, str]] = Counter()
    for study in studies:
        folder, accession = study.study_id.split("/")
        mode, built = SITE_STORES[study.site]
        series = built_series(study) if built else raw_series(study)
        write_scan(out / folder / f"{accession}.h5", series, mode)
        keys.update((key, view) for key, view, _, _ in series)
        report, free_text = with_phi(study)
        reports.append((accession, report))
        labels.append((accession, study.group,
                       *(int(study.findings[name]) for name in FINDINGS)))
        planted[accession] = {"PatientID": study.identity.mrn, "AccessionNumber": accession,
                              "PatientName": study.identity.patient_name, **free_text}
        quirks[study.study_id] = f"{mode};built" if built else mode
    write_csv(out / "reports.csv", ("accession", "report"), reports)
    write_csv(out / "labels.csv", ("accession", "group", *FINDINGS), labels)
    rows = sorted(keys.items(), key=lambda item: (-item[1], item[0]))
    write_csv(out / SERIES_MAP_FILE, ("series_description", "counts", "cleaned_series_names"),
              [(key, count, view) for (key, view), count in rows])
    values = sorted({v for phi in planted.values() for v in phi.values()})
    (out / PHI_FILE).write_text(json.dumps({"studies": planted, "values": values}, indent=1))
    return quirks


def raw_series(study: PhantomStudy) -> list[Series]:
    """The preprocess step's datasets: cleaned descriptions, the localiser included."""
    names = {view: named(name, study.identity) if view in NAMED_VIEWS else name
             for view, name in study.scanner.descriptions.items()}
    localiser = _cropped(study.views["4CH"].cine[0, :1])
    series = [(cleaned(named(LOCALIZER[study.vendor], study.identity)), "", localiser, [])]
    return series + [(cleaned(names[view]), view, *_frames(study.views[view]))
                     for view in REQUIRED_VIEWS]


def built_series(study: PhantomStudy) -> list[Series]:
    """The build step's datasets: one per view, renamed to the view."""
    return [(view, view, *_frames(study.views[view])) for view in REQUIRED_VIEWS]


def cleaned(description: str) -> str:
    """The toolkit's dataset key for a SeriesDescription."""
    return description.replace(" ", "_").replace("/", "_")


def _frames(view: PhantomView) -> tuple[np.ndarray, list[int]]:
    """Every slice's frames in ascending SliceLocation, and the slices' last frame indices."""
    locations = [round(float(np.asarray(p) @ view.normal), 4) for p in view.positions]
    order = np.argsort(locations, kind="stable")
    frames = np.concatenate([_cropped(view.cine[k]) for k in order])
    return frames, [(k + 1) * view.n_frames - 1 for k in range(view.n_slices - 1)]


def _cropped(frames: np.ndarray) -> np.ndarray:
    """torchvision's CenterCrop to a square of CROP x the shorter side."""
    height, width = frames.shape[-2:]
    side = round(CROP * min(height, width))
    top, left = round((height - side) / 2), round((width - side) / 2)
    return frames[..., top:top + side, left:left + side]


def write_scan(path: Path, series: list[Series], mode: str) -> None:
    """One .h5 file as the toolkit's array_to_h5 writes it, series by series."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as h5:
        for key, _, frames, slice_frames in series:
            data = rgb_array(frames) if mode == "rgb" else grey_array(frames)
            dataset = h5.create_dataset(key, data=data, compression="gzip", track_times=False)
            dataset.attrs.create("slice_frames", np.asarray(slice_frames, dtype=np.int32),
                                 dtype="i")
            dataset.attrs.create("total_images", len(frames), dtype="i")


def rgb_array(frames: np.ndarray) -> np.ndarray:
    """float32 [frames, 3, h, w]: the grey image in three equal channels."""
    return np.repeat(frames[:, None].astype(np.float32), 3, axis=1)


def grey_array(frames: np.ndarray) -> np.ndarray:
    """uint8 [frames, h, w], rescaled over the whole series in float32 and truncated."""
    values = frames.astype(np.float32)
    low, high = values.min(), values.max()
    scaled = (values - low) / (high - low + np.float32(1e-8)) * np.float32(255)
    return np.clip(scaled, 0, 255).astype(np.uint8)
