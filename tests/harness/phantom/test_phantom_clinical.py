"""The clinical layout: a PACS export with vendor naming, planted PHI, reports and labels."""

from __future__ import annotations

import json

import pandas as pd
import pydicom
import pytest
from cmrbench.phantom import FINDINGS
from cmrbench.phantom.writers._confusers import NAMES
from cmrbench.phantom.writers._phi import named, with_phi
from cmrbench.phantom.writers.clinical import LOCALIZER, PHI_FILE

PHI_KEYWORDS = ("PatientName", "PatientID", "PatientBirthDate", "PatientAddress",
                "AccessionNumber", "ReferringPhysicianName", "StudyDate")


@pytest.fixture(scope="module")
def clinical(written):
    return written("clinical", n=6, seed=2, matrix=64, frames=10)


def _headers(out, study) -> dict[str, list[pydicom.Dataset]]:
    """SeriesDescription -> headers of every file of the study."""
    found: dict[str, list[pydicom.Dataset]] = {}
    root = out / "dicom" / study.patient_id / study.study_id
    for path in sorted(root.glob("series_*/*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        found.setdefault(ds.SeriesDescription, []).append(ds)
    return found


def test_studies_are_filed_by_site_patient_and_accession(clinical) -> None:
    out, studies = clinical
    for study in studies:
        assert study.study_id == study.identity.accession
        assert study.patient_id == f"{study.site}_{study.identity.mrn}"
        root = out / "dicom" / study.patient_id / study.study_id
        assert all(p.name.startswith("series_") for p in root.iterdir())


def test_headers_carry_the_planted_phi(clinical) -> None:
    out, studies = clinical
    study = studies[0]
    ds = next(iter(_headers(out, study).values()))[0]
    for keyword, value in study.identity.phi_values.items():
        assert str(ds.data_element(keyword).value) == value, keyword
    assert ds.InstitutionName == study.scanner.institution


def test_phi_is_distinct_per_patient_and_listed_for_scanners(clinical) -> None:
    out, studies = clinical
    planted = json.loads((out / PHI_FILE).read_text())
    assert set(planted["studies"]) == {s.study_id for s in studies}
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "AccessionNumber"):
        values = [phi[keyword] for phi in planted["studies"].values()]
        assert len(set(values)) == len(values), keyword
    listed = set(planted["values"])
    assert all(study.identity.patient_name in listed for study in studies)
    typed = {key for phi in planted["studies"].values() for key in phi if key.startswith("Report")}
    assert typed >= {"ReportName", "ReportMRN", "ReportBirthDate", "ReportPhysician",
                     "ReportDate", "ReportPhone", "ReportEmail"}


def test_series_descriptions_follow_the_vendor(clinical) -> None:
    out, studies = clinical
    assert len({s.vendor for s in studies}) >= 2
    for study in studies:
        names = study.scanner.descriptions
        found = set(_headers(out, study))
        sax = {names["SAX"].format(n=k + 1) for k in range(study.views["SAX"].n_slices)}
        confusers = {name for name, _ in NAMES[study.vendor].values()}
        assert LOCALIZER[study.vendor] in confusers
        typed = {named(names["4CH"], study.identity, plain=True),  # the patient's name, typed
                 named(LOCALIZER[study.vendor], study.identity)}
        assert found == ({names["3CH"], names["2CH"]} | typed | sax
                         | (confusers - {LOCALIZER[study.vendor]}))


def test_short_axis_series_are_split_or_stacked_by_vendor(clinical) -> None:
    out, studies = clinical
    vendors = set()
    for study in studies:
        sax = study.views["SAX"]
        names = {study.scanner.descriptions["SAX"].format(n=k + 1) for k in range(sax.n_slices)}
        headers = [ds for name, found in _headers(out, study).items() if name in names
                   for ds in found]
        series = {ds.SeriesInstanceUID for ds in headers}
        instances = sorted(ds.InstanceNumber for ds in headers)
        if study.vendor == "SIEMENS":
            assert len(series) == sax.n_slices
        else:
            assert len(series) == 1
            assert instances == list(range(1, sax.n_slices * sax.n_frames + 1))
        vendors.add(study.vendor)
    assert "SIEMENS" in vendors and len(vendors) > 1


def test_reports_and_labels_are_keyed_by_accession(clinical) -> None:
    out, studies = clinical
    reports = pd.read_csv(out / "reports.csv", dtype=str).set_index("accession")
    labels = pd.read_csv(out / "labels.csv", dtype={"accession": str}).set_index("accession")
    assert list(labels.columns) == ["group", *FINDINGS]
    for study in studies:
        report, typed = with_phi(study)
        assert reports.loc[study.study_id, "report"] == report
        assert report.startswith(f"{study.report} ")
        assert all(value in report for value in typed.values())
        assert labels.loc[study.study_id, "group"] == study.group
        for name in FINDINGS:
            assert labels.loc[study.study_id, name] == int(study.findings[name])
