"""Only cleaned text leaves the ingest worker: the series descriptions stored, the report, text
labels, the rejected files and their details, a failed decode's message; cleaned with the
identifiers discovery and decoding saw, by the cleaner the ingest was given."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.deid import StudyIdentifiers
from cmrbench.ingest import Decoded, Rejection, SourceStudy, ingest
from cmrbench.ingest.deid import Cleaner, CleanerFailure
from cmrbench.store import StudyStore, ViewVolume

NAME, MRN, ACCESSION = "WHITE^ANTHONY^R", "24445657", "A123456789"
CARD = load_card(card_path("clinical"))


def view(description: str) -> ViewVolume:
    cine = np.arange(2 * 3 * 4 * 4, dtype=np.uint16).reshape(2, 3, 4, 4) + 1
    return ViewVolume(cine=cine, pixel_spacing=(1.0, 1.0), slice_thickness=8.0,
                      frame_times_ms=np.arange(3.0), slice_positions_mm=np.arange(2.0),
                      series_description=description)


def decode(study: SourceStudy, card) -> Decoded:
    """A decoder that read the patient's name from the headers and met it typed into a
    description, a file name and a rejection's detail."""
    return Decoded({"SAX": view(f"SAX_FIESTA_BH {NAME}"), "4CH": view("4CH Anthony White")},
                   [Rejection(f"localizer {NAME}/IM1.dcm", "unmapped series description",
                              "'localizer White, Anthony': add a view_map rule")],
                   {"comment": "typed by White"},
                   StudyIdentifiers.of(names=[NAME]))


def broken(study: SourceStudy, card) -> Decoded:
    raise OSError(f"[Errno 5] Input/output error: '/pacs/SITE_A_{MRN}/{ACCESSION}/IM1.dcm'")


STUDY = SourceStudy(key=ACCESSION, patient=f"SITE_A_{MRN}", files=(),
                    labels={"group": "NOR", "note": f"MRN {MRN}"},
                    report=f"LVEF 57.5 %. EDV 148 ml. Patient {NAME}, DOB 03/01/1952.",
                    identifiers=StudyIdentifiers.of(dates=["19520103"]))


def written(store) -> bytes:
    return b"".join(p.read_bytes() for p in store.rglob("*") if p.is_file())


def test_every_free_text_value_is_cleaned_with_what_discovery_and_decoding_knew(tmp_path):
    report = ingest([STUDY], CARD, tmp_path, decode=decode, progress=False)
    store = StudyStore(tmp_path)
    [study] = store.study_ids
    assert store.geometry(study, "SAX")["series_description"] == "SAX_FIESTA_BH [NAME]"
    assert store.geometry(study, "4CH")["series_description"] == "4CH [NAME]"
    assert store.report(study) == "LVEF 57.5 %. EDV 148 ml. Patient [NAME], DOB [DATE]."
    assert store.labels(study) == {"group": "NOR", "note": "MRN [ID]",
                                   "comment": "typed by [NAME]"}
    assert report.rejected_files == [{
        "study": study, "file": "localizer [NAME]/IM1.dcm",
        "reason": "unmapped series description",
        "detail": "'localizer [NAME]': add a view_map rule"}]
    output = written(tmp_path) + report.summary().encode()
    for secret in ("WHITE", "White", "Anthony", MRN, ACCESSION, "1952"):
        assert secret.encode() not in output, secret


def test_a_failed_decode_is_reported_without_the_keys_in_its_message(tmp_path):
    report = ingest([STUDY], CARD, tmp_path, decode=broken, progress=False)
    [rejected] = report.rejected_studies
    assert rejected["reason"] == ("could not be decoded: OSError: [Errno 5] Input/output "
                                  "error: '/pacs/[ID]/[ID]/IM1.dcm'")


def shouting(text, identifiers, field):
    """A site's cleaner: it says what it was given, so the test can see it was used."""
    return f"<{field}:{len(identifiers.names)}:{len(identifiers.ids)}>"


def test_the_given_cleaner_is_the_one_applied_with_the_studys_identifiers(tmp_path):
    report = ingest([STUDY], CARD, tmp_path, decode=decode, progress=False,
                    cleaner=Cleaner(lambda: shouting, "shouting", "a test"))
    store = StudyStore(tmp_path)
    [study] = store.study_ids
    assert store.report(study) == "<report:1:3>"  # the name; the accession, folder and MRN
    assert store.geometry(study, "4CH")["series_description"] == "<series_description:1:3>"
    assert store.labels(study)["comment"] == "<label:1:3>"
    assert report.rejected_files[0]["detail"] == "<message:1:3>"


@pytest.mark.parametrize(("cleaner", "problem"), [
    (lambda text, identifiers, field: None,
     "returned a NoneType instead of a str on a series_description"),
    (lambda text, identifiers, field: 1 / 0, "raised ZeroDivisionError on a series_description"),
])
def test_a_cleaner_that_fails_stops_the_ingest_naming_it_and_not_the_text(
        tmp_path, cleaner, problem):
    with pytest.raises(CleanerFailure) as failure:
        ingest([STUDY], CARD, tmp_path, decode=decode, progress=False,
               cleaner=Cleaner(lambda: cleaner, "broken", "plugin 'b' from b-dist 1.0"))
    message = str(failure.value)
    assert message.startswith(f"text cleaner 'broken' (plugin 'b' from b-dist 1.0) {problem}")
    assert "WHITE" not in message and "57.5" not in message
    assert not list((tmp_path / "studies").glob("*.h5"))


def test_a_cleaner_that_cannot_be_built_fails_before_any_study_is_read(tmp_path):
    def missing_model():
        raise ImportError("No module named 'presidio_analyzer'")

    with pytest.raises(CleanerFailure, match="text cleaner 'presidio' .* failed to build: "
                                             "factory\\(\\) raised ImportError"):
        ingest([STUDY], CARD, tmp_path, decode=broken, progress=False,
               cleaner=Cleaner(missing_model, "presidio", "plugin 'p'"))
    assert not (tmp_path / "ingest_report.json").exists()


def test_the_report_file_holds_the_cleaned_records(tmp_path):
    ingest([STUDY], CARD, tmp_path, decode=decode, progress=False)
    saved = json.loads((tmp_path / "ingest_report.json").read_text())
    assert saved["rejected_files"][0]["file"] == "localizer [NAME]/IM1.dcm"
