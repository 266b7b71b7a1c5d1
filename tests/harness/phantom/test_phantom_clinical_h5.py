"""The clinical-h5 phantom layout writes what rohanshad/cmr_toolkit writes.

``utils/preprocess_mri.py``: ``<institution>_<MRN>/<accession>.h5`` with one dataset per
series keyed by the SeriesDescription (' ' and '/' as '_'); frames sorted by SliceLocation then
InstanceNumber; ``slice_frames`` = indices where the next frame's SliceLocation differs;
``total_images`` = the series' DICOM files; rgb float32 [frames, 3, h, w], or grey uint8
[frames, h, w] rescaled 0-255 over the series; images resized then centre-cropped to 0.75 of
the size. ``utils/build_dataset.py``: datasets renamed 4CH/3CH/2CH/SAX from a CSV
``series_description,counts,cleaned_series_names``. SliceLocation is the DICOM one the clinical
layout writes: ImagePositionPatient projected on the slice normal.
"""

from __future__ import annotations

import json

import h5py
import numpy as np
import pandas as pd
import pytest
from cmrbench.cli import main
from cmrbench.phantom import generate_cohort
from cmrbench.phantom.writers._phi import named
from cmrbench.phantom.writers.clinical import LOCALIZER, NAMED_VIEWS
from cmrbench.phantom.writers.clinical_h5 import PHI_FILE, SERIES_MAP_FILE, SITE_STORES

VIEWS = ("4CH", "3CH", "2CH", "SAX")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Written by the command line; the studies regenerated from the same seed."""
    out = tmp_path_factory.mktemp("clinical-h5") / "cohort"
    options = {"matrix": 48, "frames": 8}
    assert main(["phantom", "--layout", "clinical-h5", "--n", "4", "--seed", "0", "--out",
                 str(out), "--quiet", *(f"--{k}={v}" for k, v in options.items())]) == 0
    return out, generate_cohort(4, 0, "clinical-h5", **options)


def scans(cohort):
    out, studies = cohort
    for study in studies:
        path = out / f"{study.site.lower().replace('_', '')}_{study.identity.mrn}" / (
            f"{study.identity.accession}.h5")
        with h5py.File(path, "r") as h5:
            yield study, h5


def raw_key(study, view: str | None) -> str:
    """The toolkit's key of a series as typed at the scanner (the 4CH and localizer
    descriptions end with the patient's name): ' ' and '/' become '_'."""
    typed = LOCALIZER[study.vendor] if view is None else study.scanner.descriptions[view]
    if view is None or view in NAMED_VIEWS:
        typed = named(typed, study.identity)
    return typed.replace(" ", "_").replace("/", "_")


def centre_square(frames: np.ndarray) -> np.ndarray:
    """torchvision CenterCrop(round(0.75 * shorter side)) of [..., h, w]."""
    h, w = frames.shape[-2:]
    side = round(0.75 * min(h, w))
    top, left = int(round((h - side) / 2.0)), int(round((w - side) / 2.0))
    return frames[..., top:top + side, left:left + side]


def expected_frames(view) -> np.ndarray:
    """Every slice, in ascending SliceLocation, one after another."""
    locations = [float(np.dot(p, view.normal)) for p in view.positions]
    return np.concatenate([centre_square(view.cine[k]) for k in np.argsort(locations)])


def test_every_site_mode_is_present_and_named_in_the_truth(cohort):
    out, studies = cohort
    assert {s.site for s in studies} == set(SITE_STORES)
    truth = pd.read_csv(out / "truth.csv").set_index("study_id")
    for study in studies:
        mode, built = SITE_STORES[study.site]
        assert truth.loc[study.study_id, "quirks"] == (f"{mode};built" if built else mode)


def test_scans_hold_one_dataset_per_series(cohort):
    for study, h5 in scans(cohort):
        if SITE_STORES[study.site][1]:
            assert set(h5) == set(VIEWS)
        else:
            assert set(h5) == {raw_key(study, v) for v in [*VIEWS, None]}


def test_arrays_follow_each_mode_by_content(cohort):
    for study, h5 in scans(cohort):
        mode, built = SITE_STORES[study.site]
        for view in VIEWS:
            key = view if built else raw_key(study, view)
            frames = expected_frames(study.views[view]).astype(np.float64)
            data = h5[key][()]
            if mode == "rgb":
                assert data.dtype == np.float32 and data.shape[1] == 3
                assert all(np.array_equal(data[:, c], frames) for c in range(3))
            else:
                scaled = (frames - frames.min()) / (frames.max() - frames.min()) * 255
                assert data.dtype == np.uint8 and data.shape == frames.shape
                assert data.min() == 0 and data.max() == 255
                assert np.abs(data - scaled).max() <= 1.0


def test_slice_frames_and_total_images(cohort):
    for study, h5 in scans(cohort):
        key = "SAX" if SITE_STORES[study.site][1] else raw_key(study, "SAX")
        sax = study.views["SAX"]
        locations = np.sort([float(np.dot(p, sax.normal)) for p in sax.positions])
        per_frame = np.repeat(locations, sax.n_frames)
        changes = np.where(per_frame[:-1] != per_frame[1:])[0]
        assert list(h5[key].attrs["slice_frames"]) == list(changes)
        assert int(h5[key].attrs["total_images"]) == sax.n_slices * sax.n_frames
        lax = h5["4CH" if SITE_STORES[study.site][1] else raw_key(study, "4CH")]
        assert len(lax.attrs["slice_frames"]) == 0 and lax.attrs["total_images"] == 8


def test_series_map_and_planted_identifiers(cohort):
    out, studies = cohort
    table = pd.read_csv(out / SERIES_MAP_FILE, keep_default_na=False)
    assert list(table.columns) == ["series_description", "counts", "cleaned_series_names"]
    expected = {view: view for view in VIEWS}  # the built scans' keys
    for study in (s for s in studies if not SITE_STORES[s.site][1]):
        for view in VIEWS:
            expected[raw_key(study, view)] = view
        expected[raw_key(study, None)] = ""
    assert dict(zip(table["series_description"], table["cleaned_series_names"],
                    strict=True)) == expected
    planted = json.loads((out / PHI_FILE).read_text())
    keys = {v for s in studies for v in (s.identity.mrn, s.identity.accession)}
    assert keys | {s.identity.patient_name for s in studies} <= set(planted["values"])
