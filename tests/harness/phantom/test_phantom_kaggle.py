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
    number = int(study_id)
    split = ("train", "train") if number <= 500 else ("validate",) if number <= 700 else ("test",)
    return out.joinpath(*split, study_id, "study")


def test_studies_fill_the_three_splits_train_nested(kaggle) -> None:
    """Train 1-500 (the download nests train/train/), validate 501-700, test 701-1140."""
    out, studies = kaggle
    assert [s.study_id for s in studies] == ["1", "501", "701", "702"]
    assert sorted(p.name for p in (out / "train" / "train").iterdir()) == ["1"]
    assert sorted(p.name for p in (out / "validate").iterdir()) == ["501"]
    assert sorted(p.name for p in (out / "test").iterdir()) == ["701", "702"]
    assert all(_study_dir(out, s.study_id).is_dir() for s in studies)


def test_label_csvs_hold_volumes_in_ml_and_the_solution_is_long_format(kaggle) -> None:
    """train.csv/validate.csv are "Id,Systole,Diastole"; the released solution.csv is
    "Id,Volume" with Id "<id>_Diastole" / "<id>_Systole" (Kaggle DSB 2015 data page)."""
    out, studies = kaggle
    by_id = {s.study_id: s for s in studies}
    for name, ids in (("train.csv", [1]), ("validate.csv", [501])):
        labels = pd.read_csv(out / name)
        assert list(labels.columns) == ["Id", "Systole", "Diastole"]
        assert list(labels["Id"]) == ids
        for row in labels.itertuples():
            assert row.Systole == pytest.approx(by_id[str(row.Id)].esv_ml, abs=0.051)
            assert row.Diastole == pytest.approx(by_id[str(row.Id)].edv_ml, abs=0.051)
    solution = pd.read_csv(out / "solution.csv")
    assert list(solution.columns) == ["Id", "Volume"]
    assert list(solution["Id"]) == ["701_Diastole", "701_Systole", "702_Diastole", "702_Systole"]
    for row in solution.itertuples():
        study, phase = row.Id.split("_")
        volume = by_id[study].edv_ml if phase == "Diastole" else by_id[study].esv_ml
        assert row.Volume == pytest.approx(volume, abs=0.051)


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
    study = studies[2]
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
    study = studies[3]  # no oblique slice, no repeat
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


def _sax_series(out, study) -> list[pydicom.Dataset]:
    """The first file of each sax folder, in series order."""
    heads = [pydicom.dcmread(sorted(f.iterdir())[0])
             for f in _study_dir(out, study.study_id).glob("sax_*")]
    return sorted(heads, key=lambda ds: ds.SeriesNumber)


def test_a_moved_repeat_comes_later_a_few_mm_from_its_failed_attempt(kaggle) -> None:
    """The FAQ's rule: keep the last series at a repeated slice location."""
    out, studies = kaggle
    study = studies[0]
    sax = study.views["SAX"]
    heads = _sax_series(out, study)
    assert len(heads) == sax.n_slices + 1
    good = heads[-1]
    (failed,) = [ds for ds in heads[:-1] if abs(float(ds.SliceLocation)
                                                - float(good.SliceLocation)) < 4.0]
    assert abs(float(failed.SliceLocation) - float(good.SliceLocation)) == pytest.approx(2.5)
    assert np.array_equal(good.pixel_array, sax.cine[1, 0])
    assert not np.array_equal(failed.pixel_array, sax.cine[1, 0])


def test_an_oblique_extra_slice_has_another_orientation(kaggle) -> None:
    out, studies = kaggle
    study = studies[1]
    heads = _sax_series(out, study)
    assert len(heads) == study.views["SAX"].n_slices + 1
    orientations = [tuple(np.round(np.asarray(ds.ImageOrientationPatient, float), 6))
                    for ds in heads]
    (odd,) = [o for o in set(orientations) if orientations.count(o) == 1]
    row, column = np.asarray(odd[:3]), np.asarray(odd[3:])
    stack = np.asarray(study.views["SAX"].orientation)
    assert np.allclose(row, stack[:3], atol=1e-6)
    assert np.degrees(np.arccos(column @ stack[3:])) == pytest.approx(30.0, abs=0.01)


def test_one_study_lacks_a_4ch_series(kaggle) -> None:
    out, studies = kaggle
    names = [f.name for f in _study_dir(out, studies[1].study_id).iterdir()]
    assert not any(n.startswith("4ch_") for n in names)
    assert any(n.startswith("2ch_") for n in names)


def test_one_study_is_all_black(kaggle) -> None:
    out, studies = kaggle
    for folder in _study_dir(out, studies[2].study_id).iterdir():
        assert not pydicom.dcmread(next(folder.iterdir())).pixel_array.any()


def test_truth_names_the_planted_quirks(kaggle) -> None:
    out, _ = kaggle
    truth = pd.read_csv(out / "truth.csv", dtype={"study_id": str}, keep_default_na=False)
    assert dict(zip(truth["study_id"], truth["quirks"], strict=True)) == {
        "1": "repeated_series;moved_repeat", "501": "missing_4ch;oblique_slice",
        "701": "all_black", "702": ""}
