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
from cmrbench.phantom.writers.ukbb import INLINE_VF, MANIFEST_COLUMNS, PHENOTYPES_FILE


@pytest.fixture(scope="module")
def ukbb(written):
    return written("ukbb", n=4)


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


def test_series_descriptions_and_fifty_frames(ukbb) -> None:
    out, studies = ukbb
    study = studies[0]
    n_slices = study.views["SAX"].n_slices
    with zipfile.ZipFile(out / f"{study.study_id}_20208_2_0.zip") as archive:
        lax = _series(archive)
    with zipfile.ZipFile(out / f"{study.study_id}_20209_2_0.zip") as archive:
        sax = _series(archive)
    assert set(lax) == {"CINE_segmented_LAX_2Ch", "CINE_segmented_LAX_3Ch",
                        "CINE_segmented_LAX_4Ch"}
    assert set(sax) == {f"CINE_segmented_SAX_b{k}" for k in range(1, n_slices + 1)} | {
        INLINE_VF}
    assert all(len(frames) == 50 for name, frames in {**lax, **sax}.items() if name != INLINE_VF)
    assert all(ds.PatientID == study.study_id for ds in sax["CINE_segmented_SAX_b1"])


def test_frames_ordered_by_trigger_time_give_the_cine(ukbb) -> None:
    out, studies = ukbb
    study = studies[1]
    with zipfile.ZipFile(out / f"{study.study_id}_20208_2_0.zip") as archive:
        frames = _series(archive)["CINE_segmented_LAX_4Ch"]
    frames.sort(key=lambda ds: float(ds.TriggerTime))
    cine = np.stack([ds.pixel_array for ds in frames])
    assert np.array_equal(cine, study.views["4CH"].cine[0])


def test_phenotype_table_has_field_22420(ukbb) -> None:
    out, studies = ukbb
    table = pd.read_csv(out / PHENOTYPES_FILE)
    assert list(table.columns) == ["eid", "22420-2.0", "22421-2.0", "22422-2.0"]
    by_eid = table.set_index("eid")
    for study in studies:
        assert by_eid.loc[int(study.study_id), "22420-2.0"] == round(study.lvef)
