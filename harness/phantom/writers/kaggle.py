"""Kaggle Data Science Bowl 2015 layout, with the quirks of the real download.

Ids 1-500 go to ``train/train/<id>/study/`` (the download nests ``train`` twice), 501-700 to
``validate/<id>/study/`` and later ones to ``test/<id>/study/``. Each study has one folder per
series, ``sax_N``, ``2ch_N`` and ``4ch_N`` (N the SeriesNumber: sparse, in scanner order), and
one DICOM file per frame, ``IM-SSSS-FFFF.dcm``. ``train.csv`` and ``validate.csv`` hold
``Id,Systole,Diastole`` in ml (one decimal), as the competition did.

Planted quirks, one per study id, reported in truth.csv's ``quirks`` column:
study 1 has a short-axis slice acquired twice, written with 4-part names ``IM-SSSS-FFFF-RRRR``
(repeat 0001 is a motion-corrupted attempt, 0002 the good repeat that loaders should keep);
study 2 has no 4ch series; study 3 is all black (every pixel 0).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers._dicom import SeriesSpec, encode_series, phantom_uid
from cmrbench.phantom.writers._files import study_rng

REQUIRED_VIEWS = ("SAX",)
REPEATED_SERIES, MISSING_4CH, ALL_BLACK = "repeated_series", "missing_4ch", "all_black"
QUIRKS = {1: REPEATED_SERIES, 2: MISSING_4CH, 3: ALL_BLACK}
_SPLITS = (("train", 500, ("train", "train")), ("validate", 700, ("validate",)))
_FOLDER = {"SAX": "sax", "2CH": "2ch", "4CH": "4ch"}


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write every study and the label CSVs; return the quirks planted per study id."""
    labels: dict[str, list[tuple[int, float, float]]] = {split: [] for split, *_ in _SPLITS}
    planted = {}
    for study in studies:
        number = int(study.study_id)
        split, folders = _split(number)
        quirk = QUIRKS.get(number, "")
        _write_study(study, out.joinpath(*folders, study.study_id, "study"), quirk)
        if quirk:
            planted[study.study_id] = quirk
        if split in labels:
            labels[split].append((number, round(study.esv_ml, 1), round(study.edv_ml, 1)))
    for split, rows in labels.items():
        if rows:
            with open(out / f"{split}.csv", "w", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(["Id", "Systole", "Diastole"])
                writer.writerows(sorted(rows))
    return planted


def _split(number: int) -> tuple[str, tuple[str, ...]]:
    for split, last, folders in _SPLITS:
        if number <= last:
            return split, folders
    return "test", ("test",)


def _write_study(study: PhantomStudy, root: Path, quirk: str) -> None:
    rng = study_rng(study, "kaggle-series")
    image_base = int(rng.integers(1000, 8000))
    header = {"PatientID": study.study_id, "StudyInstanceUID": phantom_uid(study, "study")}
    views = [v for v in ("2CH", "4CH") if v in study.views and not (
        v == "4CH" and quirk == MISSING_4CH)]
    sax = study.views["SAX"]
    slices = range(sax.n_slices)[::-1] if study.scanner.apex_first else range(sax.n_slices)
    series = [(view, 0) for view in views] + [("SAX", k) for k in slices]
    number = int(rng.integers(2, 8))
    for view, slice_index in series:
        folder = root / f"{_FOLDER[view]}_{number}"
        folder.mkdir(parents=True, exist_ok=True)
        spec = SeriesSpec(view, slice_index, number, study.scanner.descriptions[view].format(
            n=slice_index + 1), phantom_uid(study, "series", view, slice_index))
        frames = study.views[view].cine[slice_index]
        if quirk == ALL_BLACK:
            frames = np.zeros_like(frames)
        stem = f"IM-{image_base + number:04d}"
        if quirk == REPEATED_SERIES and view == "SAX" and slice_index == sax.n_slices // 2:
            _write_repeated(study, spec, header, frames, folder, stem)
        else:
            _write_frames(study, spec, header, frames, folder, stem, "")
        gap = int(rng.integers(1, 4)) if rng.random() < 0.35 else 0  # sparse series numbers
        number += 1 + gap


def _write_repeated(study: PhantomStudy, spec: SeriesSpec, header: dict[str, object],
                    frames: np.ndarray, folder: Path, stem: str) -> None:
    """A slice acquired twice: a motion-corrupted first attempt, then the good repeat."""
    failed = SeriesSpec(spec.view, spec.slice_index, spec.series_number, spec.description,
                        phantom_uid(study, "series", spec.view, spec.slice_index, "failed"))
    _write_frames(study, failed, header, _motion_corrupted(frames, study), folder, stem, "-0001")
    repeat = SeriesSpec(spec.view, spec.slice_index, spec.series_number, spec.description,
                        spec.series_uid, acquisition_number=2)
    _write_frames(study, repeat, header, frames, folder, stem, "-0002")


def _write_frames(study: PhantomStudy, spec: SeriesSpec, header: dict[str, object],
                  frames: np.ndarray, folder: Path, stem: str, repeat: str) -> None:
    for encoded in encode_series(study, spec, header, frames):
        (folder / f"{stem}-{encoded.frame + 1:04d}{repeat}.dcm").write_bytes(encoded.data)


def _motion_corrupted(frames: np.ndarray, study: PhantomStudy) -> np.ndarray:
    """A breath-hold failure: the image plus a displaced ghost along the phase direction."""
    ghost = np.roll(frames, frames.shape[1] // 4, axis=1).astype(np.float32)
    top = 2 ** study.scanner.bits_stored - 1
    return np.clip(frames + 0.4 * ghost, 0, top).astype(np.uint16)
