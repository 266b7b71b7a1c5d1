"""The Kaggle Data Science Bowl layout: nested folders, DICOM tags, CSV labels and quirks."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pydicom
import pytest

DSB_TAGS = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SeriesNumber",
            "SeriesDescription", "InstanceNumber", "TriggerTime", "SliceLocation",
            "SliceThickness", "PixelSpacing", "ImagePositionPatient", "ImageOrientationPatient",
            "Rows", "Columns", "BitsAllocated", "BitsStored", "PhotometricInterpretation",
            "PatientAge", "PatientSex", "Manufacturer", "SOPInstanceUID", "CardiacNumberOfImages")
FOLDER = re.compile(r"^(sax|2ch|4ch)_(\d+)$")
FILE = re.compile(r"^IM-\d{4,}-(\d{4})(-\d{4})?\.dcm$")


@pytest.fixture(scope="module")
def kaggle(written):
    return written("kaggle", n=4)


def _study_dir(out, study_id: str):
    return out / "train" / "train" / study_id / "study"


def test_training_studies_sit_in_the_nested_train_folder(kaggle) -> None:
    out, studies = kaggle
    assert sorted(p.name for p in (out / "train" / "train").iterdir()) == ["1", "2", "3", "4"]
    assert [s.study_id for s in studies] == ["1", "2", "3", "4"]
    assert all(_study_dir(out, s.study_id).is_dir() for s in studies)


def test_train_csv_holds_volumes_in_ml(kaggle) -> None:
    out, studies = kaggle
    labels = pd.read_csv(out / "train.csv")
    assert list(labels.columns) == ["Id", "Systole", "Diastole"]
    assert list(labels["Id"]) == [1, 2, 3, 4]
    for study, row in zip(studies, labels.itertuples(), strict=True):
        assert row.Systole == pytest.approx(study.esv_ml, abs=0.051)
        assert row.Diastole == pytest.approx(study.edv_ml, abs=0.051)


def test_folders_and_files_are_named_like_the_download(kaggle) -> None:
    out, studies = kaggle
    for study in studies:
        for folder in _study_dir(out, study.study_id).iterdir():
            match = FOLDER.match(folder.name)
            assert match, folder
            first = pydicom.dcmread(next(folder.iterdir()), stop_before_pixels=True)
            assert first.SeriesNumber == int(match.group(2))
            assert all(FILE.match(f.name) for f in folder.iterdir()), folder


def test_headers_carry_the_dsb_tags(kaggle) -> None:
    out, studies = kaggle
    study = studies[3]
    folder = next(_study_dir(out, study.study_id).glob("sax_*"))
    files = sorted(folder.iterdir())
    assert len(files) == 30
    headers = [pydicom.dcmread(f) for f in files]
    for keyword in DSB_TAGS:
        assert keyword in headers[0], keyword
    assert headers[0].PhotometricInterpretation == "MONOCHROME2"
    assert headers[0].pixel_array.dtype == np.uint16
    by_instance = sorted(headers, key=lambda ds: ds.InstanceNumber)
    assert [ds.InstanceNumber for ds in by_instance] == list(range(1, 31))
    times = [float(ds.TriggerTime) for ds in by_instance]
    assert times == sorted(times)
    assert len({h.SeriesInstanceUID for h in headers}) == 1
    assert len({h.SOPInstanceUID for h in headers}) == 30


def test_short_axis_slices_are_spread_along_the_long_axis(kaggle) -> None:
    out, studies = kaggle
    study = studies[3]
    sax = study.views["SAX"]
    locations = sorted(
        float(pydicom.dcmread(next(f.iterdir()), stop_before_pixels=True).SliceLocation)
        for f in _study_dir(out, study.study_id).glob("sax_*"))
    assert len(locations) == sax.n_slices
    assert np.allclose(np.diff(locations), sax.slice_spacing, atol=1e-3)


def test_sax_series_numbers_are_sparse(kaggle) -> None:
    out, studies = kaggle
    gaps = []
    for study in studies:
        numbers = sorted(int(FOLDER.match(f.name).group(2))
                         for f in _study_dir(out, study.study_id).glob("sax_*"))
        gaps.extend(np.diff(numbers))
    assert max(gaps) > 1


def test_a_repeated_slice_keeps_the_good_acquisition_last(kaggle) -> None:
    out, studies = kaggle
    study = studies[0]
    repeated = [f for f in _study_dir(out, study.study_id).glob("sax_*")
                if any(FILE.match(p.name).group(2) for p in f.iterdir())]
    assert len(repeated) == 1
    files = sorted(repeated[0].iterdir())
    assert len(files) == 60
    last = pydicom.dcmread(next(f for f in files if f.name.endswith("-0005-0002.dcm")))
    first = pydicom.dcmread(next(f for f in files if f.name.endswith("-0005-0001.dcm")))
    sax = study.views["SAX"]
    assert np.array_equal(last.pixel_array, sax.cine[sax.n_slices // 2, 4])
    assert not np.array_equal(first.pixel_array, last.pixel_array)
    assert (first.AcquisitionNumber, last.AcquisitionNumber) == (1, 2)
    assert first.SliceLocation == last.SliceLocation


def test_one_study_lacks_a_4ch_series(kaggle) -> None:
    out, _ = kaggle
    names = [f.name for f in _study_dir(out, "2").iterdir()]
    assert not any(n.startswith("4ch_") for n in names)
    assert any(n.startswith("2ch_") for n in names)


def test_one_study_is_all_black(kaggle) -> None:
    out, _ = kaggle
    for folder in _study_dir(out, "3").iterdir():
        assert not pydicom.dcmread(next(folder.iterdir())).pixel_array.any()


def test_truth_names_the_planted_quirks(kaggle) -> None:
    out, _ = kaggle
    truth = pd.read_csv(out / "truth.csv", dtype={"study_id": str}, keep_default_na=False)
    assert dict(zip(truth["study_id"], truth["quirks"], strict=True)) == {
        "1": "repeated_series", "2": "missing_4ch", "3": "all_black", "4": ""}
