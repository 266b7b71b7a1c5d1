"""A study's identifiers as discovery and decoding find them: raw keys and DICOM headers."""

from __future__ import annotations

from io import BytesIO

from cmrbench.deid import StudyIdentifiers, from_dicom, from_keys
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset


def test_keys_give_themselves_and_their_parts_that_hold_a_digit():
    found = from_keys("SITE_A_24445657", "sitea_24445657/A123456789")
    assert found.ids == {"SITE_A_24445657", "24445657", "sitea_24445657/A123456789",
                         "A123456789"}


def test_ids_too_short_to_tell_from_a_measurement_are_not_searched_for():
    """Kaggle's study 1..1140 and a 4-digit number would erase "T1 1050 ms"."""
    assert from_keys("1", "1140").ids == frozenset()
    assert from_keys("patient001", "12345").ids == {"patient001", "12345"}


def test_a_dicom_header_gives_patient_names_staff_ids_dates_and_phrases():
    ds = Dataset()
    ds.PatientName = "WHITE^ANTHONY^R"
    ds.OtherPatientNames = ["WHITE^TONY", "BLACK^ANTHONY"]
    ds.PatientID = "24445657"
    item = Dataset()
    item.PatientID = "NHS9434765919"
    ds.OtherPatientIDsSequence = [item]
    ds.AccessionNumber = "A123456789"
    ds.StudyID = "1"  # too short to search for
    ds.PatientBirthDate = "19520103"
    ds.StudyDate = "20190503"
    ds.ReferringPhysicianName = "SMITH^JOHN^^DR"
    ds.OperatorsName = "CMR"  # too short to remove whole
    ds.InstitutionName = "Northgate University Hospital"
    ds.PatientAddress = "123 Oak Street, Springfield 12345"
    ds.SeriesDescription = "cine_trueFISP_4CH"  # free text to clean, not an identifier
    assert from_dicom(ds) == StudyIdentifiers(
        names=frozenset({"WHITE^ANTHONY^R", "WHITE^TONY", "BLACK^ANTHONY"}),
        staff=frozenset({"SMITH^JOHN^^DR"}),
        ids=frozenset({"24445657", "NHS9434765919", "A123456789"}),
        dates=frozenset({"19520103", "20190503"}),
        phrases=frozenset({"Northgate University Hospital",
                           "123 Oak Street, Springfield 12345"}))


def test_identifiers_combine_and_never_print_their_values():
    both = from_keys("A123456789") | StudyIdentifiers.of(names=["WHITE^ANTHONY^R"])
    assert both.ids == {"A123456789"} and both.names == {"WHITE^ANTHONY^R"}
    assert "WHITE" not in repr(both) and "A123" not in repr(both)
    assert repr(both) == "StudyIdentifiers(1 names, 0 staff, 1 ids, 0 dates, 0 phrases)"
    assert not StudyIdentifiers() and both


def read_back(name: str) -> Dataset:
    """A header as ingest meets it: parsed from bytes, its elements not yet converted."""
    ds = Dataset()
    ds.PatientName, ds.PatientID, ds.SpecificCharacterSet = name, "24445657", "ISO_IR 100"
    buffer = BytesIO()
    dcmwrite(buffer, ds, implicit_vr=True, little_endian=True)
    return dcmread(BytesIO(buffer.getvalue()), force=True)


def test_headers_read_from_files_each_give_their_own_values():
    """Values are remembered by their bytes: the same bytes give the same answer, other bytes
    their own."""
    first, second, again = (from_dicom(read_back(name)) for name in
                            ("WHITE^ANTHONY", "GREEN^LAURA", "WHITE^ANTHONY"))
    assert first.names == again.names == {"WHITE^ANTHONY"}
    assert second.names == {"GREEN^LAURA"} and second.ids == {"24445657"}
