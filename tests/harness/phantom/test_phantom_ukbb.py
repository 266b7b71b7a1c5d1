"""The UK Biobank layout: one zip per field, flat DICOMs, the manifest and its misspellings."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pydicom
import pytest
from cmrbench.phantom.writers.ukbb import (
    INLINE_VF,
    MANIFEST_COLUMNS,
    PHENOTYPE_STYLES,
    SINGLE_LAX,
    SINGLE_SAX,
)


@pytest.fixture(scope="module")
def ukbb(written):
    return written("ukbb", n=4, matrix=48)


def _manifest(archive: zipfile.ZipFile) -> tuple[str, list[str]]:
    (name,) = [n for n in archive.namelist() if n.startswith("manifest.")]
    return name, archive.read(name).decode().splitlines()


def _series(archive: zipfile.ZipFile) -> dict[str, list[pydicom.Dataset]]:
    found: dict[str, list[pydicom.Dataset]] = {}
    for name in archive.namelist():
        if name.endswith(".dcm"):
            ds = pydicom.dcmread(io.BytesIO(archive.read(name)))
            found.setdefault(ds.SeriesDescription, []).append(ds)
    return found


def test_one_zip_per_participant_and_field(ukbb) -> None:
    out, studies = ukbb
    expected = {f"{s.study_id}_{field}_2_0.zip" for s in studies for field in (20208, 20209)}
    assert {p.name for p in out.glob("*.zip")} == expected
    assert all(re.fullmatch(r"[1-6]\d{6}", s.study_id) for s in studies)


def test_manifests_have_the_real_columns_and_break_naive_csv(ukbb) -> None:
    out, _ = ukbb
    names = []
    for path in out.glob("*.zip"):
        with zipfile.ZipFile(path) as archive:
            name, lines = _manifest(archive)
            names.append(name)
            assert lines[0].split(",") == list(MANIFEST_COLUMNS)
            members = {n for n in archive.namelist() if n.endswith(".dcm")}
            rows = [line.split(",") for line in lines[1:]]
            assert all(len(row) == len(MANIFEST_COLUMNS) + 1 for row in rows)
            assert {row[0] for row in rows} == members
            dt.datetime.strptime(",".join(rows[0][4:6]), "%b %d, %Y")
            assert all("/" not in n for n in archive.namelist())
    assert {"manifest.csv", "manifest.cvs"} <= set(names)


def _zips(out, study) -> tuple[dict[str, list[pydicom.Dataset]], ...]:
    found = []
    for field in (20208, 20209):
        with zipfile.ZipFile(out / f"{study.study_id}_{field}_2_0.zip") as archive:
            found.append(_series(archive))
    return tuple(found)


def test_series_descriptions_and_fifty_frames(ukbb) -> None:
    out, studies = ukbb
    study = studies[3]  # no planted quirk
    n_slices = study.views["SAX"].n_slices
    lax, sax = _zips(out, study)
    assert set(lax) == {"CINE_segmented_LAX_2Ch", "CINE_segmented_LAX_3Ch",
                        "CINE_segmented_LAX_4Ch"}
    assert set(sax) == {f"CINE_segmented_SAX_b{k}" for k in range(1, n_slices + 1)} | {
        INLINE_VF}
    assert all(len(frames) == 50 for name, frames in {**lax, **sax}.items() if name != INLINE_VF)
    assert all(ds.PatientID == study.study_id for ds in sax["CINE_segmented_SAX_b1"])


def test_inline_vf_is_derived_and_spans_the_stack(ukbb) -> None:
    out, studies = ukbb
    study = studies[3]
    sax = study.views["SAX"]
    inline = _zips(out, study)[1][INLINE_VF]
    assert len(inline) == 2 * sax.n_slices
    assert all("DERIVED" in ds.ImageType for ds in inline)
    locations = {round(float(ds.SliceLocation), 2) for ds in inline}
    assert locations == {round(float(np.asarray(p) @ sax.normal), 2) for p in sax.positions}


def test_single_series_exports_hold_every_slice_and_three_long_axis_planes(ukbb) -> None:
    """ukbb_cardiac's biobank_utils.py: a single CINE_segmented_SAX series holds every slice
    (CardiacNumberOfImages frames each); a single CINE_segmented_LAX holds 3Ch, 4Ch, 2Ch."""
    out, studies = ukbb
    study = studies[0]
    lax, sax = _zips(out, study)
    assert set(lax) == {SINGLE_LAX} and set(sax) == {SINGLE_SAX, INLINE_VF}
    by_instance = sorted(lax[SINGLE_LAX], key=lambda ds: ds.InstanceNumber)
    assert len(by_instance) == 150 and len({ds.SeriesInstanceUID for ds in by_instance}) == 1
    for k, view in enumerate(("3CH", "4CH", "2CH")):
        part = by_instance[50 * k:50 * (k + 1)]
        assert {ds.CardiacNumberOfImages for ds in part} == {50}
        part.sort(key=lambda ds: float(ds.TriggerTime))
        assert np.array_equal(np.stack([ds.pixel_array for ds in part]),
                              study.views[view].cine[0])
    stack = sorted(sax[SINGLE_SAX], key=lambda ds: ds.InstanceNumber)
    assert len(stack) == 50 * study.views["SAX"].n_slices
    assert {tuple(ds.ImagePositionPatient) for ds in stack[:50]} == {
        tuple(stack[0].ImagePositionPatient)}
    assert np.allclose(np.asarray(stack[0].ImagePositionPatient, float),
                       study.views["SAX"].positions[0], atol=1e-3)  # base first


def test_a_moved_repeat_of_b3_is_a_later_series_of_the_same_name(ukbb) -> None:
    out, studies = ukbb
    study = studies[1]
    b3 = _zips(out, study)[1]["CINE_segmented_SAX_b3"]
    by_series: dict[int, list[pydicom.Dataset]] = {}
    for ds in b3:
        by_series.setdefault(ds.SeriesNumber, []).append(ds)
    first, last = (by_series[k] for k in sorted(by_series))
    distance = float(first[0].SliceLocation) - float(last[0].SliceLocation)
    assert abs(distance) == pytest.approx(3.0, abs=1e-3)
    last.sort(key=lambda ds: float(ds.TriggerTime))
    assert np.array_equal(np.stack([ds.pixel_array for ds in last]),
                          study.views["SAX"].cine[2])


def test_frames_ordered_by_trigger_time_give_the_cine(ukbb) -> None:
    out, studies = ukbb
    study = studies[1]
    with zipfile.ZipFile(out / f"{study.study_id}_20208_2_0.zip") as archive:
        frames = _series(archive)["CINE_segmented_LAX_4Ch"]
    frames.sort(key=lambda ds: float(ds.TriggerTime))
    cine = np.stack([ds.pixel_array for ds in frames])
    assert np.array_equal(cine, study.views["4CH"].cine[0])


def test_field_22420_comes_in_the_three_export_styles(ukbb) -> None:
    """Legacy ukbconv "22420-2.0", RAP table exporter "p22420_i2", dx extract_dataset
    "participant.p22420_i2" keyed by "participant.eid" (UK Biobank RAP documentation)."""
    out, studies = ukbb
    found = {}
    for name, eid, columns in PHENOTYPE_STYLES:
        table = pd.read_csv(out / name)
        assert list(table.columns) == [eid, *columns]
        for row in table.itertuples(index=False):
            found[str(row[0])] = (name, row[1])
    assert set(found) == {s.study_id for s in studies}
    for position, study in enumerate(studies):
        name, lvef = found[study.study_id]
        assert name == PHENOTYPE_STYLES[position % 3][0]
        assert lvef == round(study.lvef)
