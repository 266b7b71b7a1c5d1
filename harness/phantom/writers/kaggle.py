"""Kaggle Data Science Bowl 2015 layout, with the quirks of the real download.

Ids 1-500 go to ``train/train/<id>/study/`` (the download nests ``train`` twice), 501-700 to
``validate/<id>/study/`` and later ones to ``test/<id>/study/``; a cohort fills the three
splits in the competition's proportions. Each study has one folder per series, ``sax_N``,
``2ch_N`` and ``4ch_N`` (N the SeriesNumber: sparse, in scanner order), and one DICOM file per
frame, ``IM-SSSS-FFFF.dcm``. ``train.csv`` and ``validate.csv`` hold ``Id,Systole,Diastole``
in ml (one decimal); the test split's ``solution.csv`` is long format, ``Id,Volume`` with
``Id`` = ``<id>_Diastole`` / ``<id>_Systole``, as the competition released it.

Planted quirks, by the study's position in the cohort, reported in truth.csv's ``quirks``:
the first study has a short-axis slice acquired twice in one folder, written with 4-part names
``IM-SSSS-FFFF-RRRR`` (repeat 0001 is a motion-corrupted attempt, 0002 the good repeat that
loaders should keep), and another slice whose failed first attempt lies 2.5 mm from the good
repeat in a later ``sax`` folder (a moved repeat: the FAQ says keep the last series at a
repeated slice location); the second has no 4ch series and an extra oblique ``sax`` slice
(planned 30 degrees off the stack); the third is all black (every pixel 0).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers._dicom import SeriesSpec, encode_series, phantom_uid
from cmrbench.phantom.writers._files import study_rng
from cmrbench.phantom.writers._quirks import displaced, motion_corrupted, tilted

REQUIRED_VIEWS = ("SAX",)
REPEATED_SERIES, MOVED_REPEAT = "repeated_series", "moved_repeat"
MISSING_4CH, OBLIQUE_SLICE, ALL_BLACK = "missing_4ch", "oblique_slice", "all_black"
QUIRKS = ((REPEATED_SERIES, MOVED_REPEAT), (MISSING_4CH, OBLIQUE_SLICE), (ALL_BLACK,))
MOVED_MM, OBLIQUE_DEG = 2.5, 30.0
SOLUTION_FILE = "solution.csv"
_SPLITS = (("train", 500, ("train", "train")), ("validate", 700, ("validate",)))
_FOLDER = {"SAX": "sax", "2CH": "2ch", "4CH": "4ch"}


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write every study and the label CSVs; return the quirks planted per study id."""
    labels: dict[str, list[tuple[int, float, float]]] = {"train": [], "validate": [],
                                                         "test": []}
    planted = {}
    for position, study in enumerate(studies):
        number = int(study.study_id)
        split, folders = _split(number)
        quirks = QUIRKS[position] if position < len(QUIRKS) else ()
        _write_study(study, out.joinpath(*folders, study.study_id, "study"), quirks)
        if quirks:
            planted[study.study_id] = ";".join(quirks)
        labels[split].append((number, round(study.esv_ml, 1), round(study.edv_ml, 1)))
    for split in ("train", "validate"):
        if labels[split]:
            _write_csv(out / f"{split}.csv", ("Id", "Systole", "Diastole"),
                       sorted(labels[split]))
    if labels["test"]:
        _write_csv(out / SOLUTION_FILE, ("Id", "Volume"),
                   [(f"{n}_{phase}", volume) for n, systole, diastole in sorted(labels["test"])
                    for phase, volume in (("Diastole", diastole), ("Systole", systole))])
    return planted


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _split(number: int) -> tuple[str, tuple[str, ...]]:
    for split, last, folders in _SPLITS:
        if number <= last:
            return split, folders
    return "test", ("test",)


def _write_study(study: PhantomStudy, root: Path, quirks: tuple[str, ...]) -> None:
    rng = study_rng(study, "kaggle-series")
    image_base = int(rng.integers(1000, 8000))
    header = {"PatientID": study.study_id, "StudyInstanceUID": phantom_uid(study, "study")}
    views = [v for v in ("2CH", "4CH") if v in study.views and not (
        v == "4CH" and MISSING_4CH in quirks)]
    sax = study.views["SAX"]
    slices = range(sax.n_slices)[::-1] if study.scanner.apex_first else range(sax.n_slices)
    series = [(view, 0, "") for view in views] + [("SAX", k, "") for k in slices]
    if MOVED_REPEAT in quirks:
        series.append(("SAX", 1, MOVED_REPEAT))  # the good repeat comes last
    if OBLIQUE_SLICE in quirks:
        series.append(("SAX", sax.n_slices // 2, OBLIQUE_SLICE))
    number = int(rng.integers(2, 8))
    for view, slice_index, extra in series:
        folder = root / f"{_FOLDER[view]}_{number}"
        folder.mkdir(parents=True, exist_ok=True)
        uid_parts = ("series", view, slice_index) + ((extra,) if extra else ())
        spec = SeriesSpec(view, slice_index, number, study.scanner.descriptions[view].format(
            n=slice_index + 1), phantom_uid(study, *uid_parts))
        frames, overrides = _frames(study, view, slice_index, extra, quirks)
        stem = f"IM-{image_base + number:04d}"
        if REPEATED_SERIES in quirks and view == "SAX" and slice_index == sax.n_slices // 2 \
                and not extra:
            _write_repeated(study, spec, header, frames, folder, stem)
        else:
            _write_frames(study, spec, {**header, **overrides}, frames, folder, stem, "")
        gap = int(rng.integers(1, 4)) if rng.random() < 0.35 else 0  # sparse series numbers
        number += 1 + gap


def _frames(study: PhantomStudy, view: str, slice_index: int, extra: str,
            quirks: tuple[str, ...]) -> tuple[np.ndarray, dict[str, object]]:
    """The pixels and geometry overrides of one series, quirks applied."""
    frames = study.views[view].cine[slice_index]
    sax = study.views["SAX"]
    overrides: dict[str, object] = {}
    if extra == OBLIQUE_SLICE:
        frames = np.flip(frames, axis=1)
        overrides = tilted(sax, slice_index, OBLIQUE_DEG)
    elif MOVED_REPEAT in quirks and view == "SAX" and slice_index == 1 and not extra:
        frames = motion_corrupted(frames, study)  # the failed first attempt, moved
        overrides = displaced(sax, slice_index, -MOVED_MM)
    if ALL_BLACK in quirks:
        frames = np.zeros_like(frames)
    return frames, overrides


def _write_repeated(study: PhantomStudy, spec: SeriesSpec, header: dict[str, object],
                    frames: np.ndarray, folder: Path, stem: str) -> None:
    """A slice acquired twice: a motion-corrupted first attempt, then the good repeat."""
    failed = SeriesSpec(spec.view, spec.slice_index, spec.series_number, spec.description,
                        phantom_uid(study, "series", spec.view, spec.slice_index, "failed"))
    _write_frames(study, failed, header, motion_corrupted(frames, study), folder, stem,
                  "-0001")
    repeat = SeriesSpec(spec.view, spec.slice_index, spec.series_number, spec.description,
                        spec.series_uid, acquisition_number=2)
    _write_frames(study, repeat, header, frames, folder, stem, "-0002")


def _write_frames(study: PhantomStudy, spec: SeriesSpec, header: dict[str, object],
                  frames: np.ndarray, folder: Path, stem: str, repeat: str) -> None:
    for encoded in encode_series(study, spec, header, frames):
        (folder / f"{stem}-{encoded.frame + 1:04d}{repeat}.dcm").write_bytes(encoded.data)
