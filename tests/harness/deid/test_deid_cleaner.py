"""The built-in text cleaner against a table of cases: what it must remove (the study's own
identifiers in the spellings people type; e-mail, phones, dates, titled and labelled names of
any study) and what it must leave exactly as it is (the numbers and abbreviations findings are
made of, scanner series descriptions, the harness's own messages).

The spellings follow HIPAA Safe Harbor (45 CFR 164.514(b)(2): names, all elements of dates
except the year, telephone numbers, e-mail addresses, medical record and account numbers) and
the DICOM basic confidentiality profile (PS3.15 Annex E), which lists Series Description among
the attributes to clean."""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.deid import StudyIdentifiers, clean_text, from_keys
from cmrbench.phantom.anatomy import GROUPS, sample_anatomy
from cmrbench.phantom.identity import sample_identity
from cmrbench.phantom.report import write_report

OWN = StudyIdentifiers.of(
    names=["WHITE^ANTHONY^R"], staff=["SMITH^JOHN^^DR", "CMR"],
    ids=["24445657", "A123456789", "1"], dates=["19520103"],
    phrases=["123 Oak Street, Springfield 12345", "Northgate University Hospital", "MRI"],
) | from_keys("SITE_A_24445657", "A123456789")

THE_STUDYS_OWN = [
    # the report ending
    ("Patient WHITE^ANTHONY^R, MRN 24445657, DOB 19520103. Discussed with Dr. Smith on "
     "2026-03-04.",
     "Patient [NAME], MRN [ID], DOB [DATE]. Discussed with [NAME] on [DATE]."),
    # the name in the ways it is typed
    ("Seen: Anthony White.", "Seen: [NAME]."),
    ("WHITE, Anthony attended.", "[NAME] attended."),
    ("anthony r. white attended.", "[NAME] attended."),
    ("Copy to White.", "Copy to [NAME]."),
    ("cine_trueFISP_4CH WHITE^ANTHONY^R", "cine_trueFISP_4CH [NAME]"),
    ("cine_trueFISP_4CH_WHITE^ANTHONY^R", "cine_trueFISP_4CH_[NAME]"),
    ("study.h5/localizer_WHITE^ANTHONY^R", "study.h5/localizer_[NAME]"),
    # the birth date in every usual format, with no label to give it away
    ("Ref 19520103.", "Ref [DATE]."),
    ("Ref 1952-01-03.", "Ref [DATE]."),
    ("Ref 03/01/1952.", "Ref [DATE]."),
    ("Ref 01/03/1952.", "Ref [DATE]."),
    ("Ref 3/1/52.", "Ref [DATE]."),
    ("Ref 1/3/52.", "Ref [DATE]."),  # month first
    ("Ref 03.01.52.", "Ref [DATE]."),
    ("Ref 3 Jan 1952.", "Ref [DATE]."),
    ("Ref 3 January 52.", "Ref [DATE]."),
    ("Ref January 3, 1952.", "Ref [DATE]."),
    ("Ref 03Jan1952.", "Ref [DATE]."),
    # IDs, also spaced, and in file names and keys
    ("Ref 2444 5657 and 2444-5657.", "Ref [ID] and [ID]."),
    ("Ref a123456789.", "Ref [ID]."),
    ("Folder SITE_A_24445657.", "Folder [ID]."),
    # staff names whole, never word by word
    ("Referred by John Smith; Smith, John agreed.", "Referred by [NAME]; [NAME] agreed."),
    ("CMR and MRI at Northgate University Hospital, 123 Oak Street, Springfield 12345.",
     "CMR and MRI at [REDACTED], [REDACTED]."),
]

ANY_STUDYS = [
    ("Discussed with Dr Smith.", "Discussed with [NAME]."),
    ("DR SMITH reviewed. LVEF 55%.", "[NAME] reviewed. LVEF 55%."),
    ("Reviewed by Prof. X and Professor Okafor.", "Reviewed by [NAME] and [NAME]."),
    ("Mrs O'Neil and Dr. J. Smith-Jones attended.", "[NAME] and [NAME] attended."),
    ("Mail j.nelson@cardiology.example.org today.", "Mail [EMAIL] today."),
    ("Call +44 20 7946 0958, (555) 123-4567, 555-123-4567 or 020 7946 0958.",
     "Call [PHONE], [PHONE], [PHONE] or [PHONE]."),
    ("Results phoned (tel. 01632 960123), bleep 4455.",
     "Results phoned (tel. [PHONE]), bleep [PHONE]."),
    ("MRN: 12345678. NHS number 943 476 5919. Accession # RF88231045.",
     "MRN: [ID]. NHS number [ID]. Accession # [ID]."),
    ("DOB: 3.1.52. Date of birth 17 Jan 1965.", "DOB: [DATE]. Date of birth [DATE]."),
    ("Patient name: Smith. Patient Betty Lopez, MRN 1234567.",
     "Patient name: [NAME]. Patient [NAME], MRN [ID]."),
    ("Patient ANDERSON, Richard, seen.", "Patient [NAME], seen."),
    ("Scanned 2026-03-04, 04/03/2026, 4 March 2026, March 4th, 2026 and 20260304.",
     "Scanned [DATE], [DATE], [DATE], [DATE] and [DATE]."),
    ("Prior study in March 2019 (03/2019).", "Prior study in [DATE] ([DATE])."),
    ("Name GARCIA^MARY^A typed in.", "Name [NAME] typed in."),
]

LEFT_ALONE = [
    "EF 55%", "LVEF 57.5 %", "EDV 148 ml, ESV 64 ml.", "Maximal wall thickness 13 mm.",
    "Heart rate 72 bpm.", "T1 1020 1050 1100 ms.", "BP 120/80.", "3/4 segments enhance.",
    "pH 7.35.", "Trivial MR. No pericardial effusion.", "Mild MS and MR.", "Max 13 mm.",
    "Compared with the 2019 study; follow-up in 6 months.", "LGE at 10 min, 0.15 mmol/kg.",
    "Qp:Qs 1.5:1.", "RVEDV 180 mL/m2, ECV 28%.", "Dressler syndrome.", "DRESSLER SYNDROME.",
    "LGE in 2/17 segments.", "LV PROFILE NORMAL.",
    "Patient tolerated the scan well. The patient LVEF was 55%.",
    "SAX_FIESTA_BH_1", "4CH", "cine_trueFISP_SAX_b12", "CINE_segmented_LAX_4Ch",
    "T1 MOLLI 5(3)3", "sBTFE_SA", "SSFP 3 CHAMBER LVOT", "3-Plane Loc", "Survey",
    "series_003/IM00017.dcm", "20209/1.2.3.4.dcm",
    "series 12 (SAX) holds 3 planes; ImageOrientationPatient [0.707, 0.707, 0.000]",
    "SAX slice at 12.5 mm has frames x size (30, 48, 48), the rest of the view (25, 48, 48)",
]


@pytest.mark.parametrize(("text", "expected"), THE_STUDYS_OWN)
def test_the_studys_own_identifiers_go_in_any_spelling(text, expected):
    assert clean_text(text, OWN) == expected


@pytest.mark.parametrize(("text", "expected"), ANY_STUDYS)
def test_identifiers_of_any_study_go_without_knowing_the_study(text, expected):
    assert clean_text(text) == expected


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_findings_descriptions_and_messages_are_left_exactly_as_they_are(text):
    assert clean_text(text, OWN) == text


def test_a_name_is_a_word_not_a_substring():
    """A patient called Mark White keeps 'Marked' and 'whitened' in the report."""
    own = StudyIdentifiers.of(names=["WHITE^MARK"])
    assert clean_text("Marked whitened septum. Mark White seen.", own) == (
        "Marked whitened septum. [NAME] seen.")


def test_short_name_words_go_only_beside_another_part_of_the_name():
    own = StudyIdentifiers.of(names=["LI^WEI"])
    assert clean_text("Wei Li seen; Li, Wei seen; LI stands alone.", own) == (
        "[NAME] seen; [NAME] seen; LI stands alone.")


def test_generated_reports_come_back_unchanged():
    """100 phantom reports (every group, most templates) with a random patient's identity:
    not one character of their findings is touched."""
    rng = np.random.default_rng(0)
    for k in range(100):
        report = write_report(sample_anatomy(GROUPS[k % len(GROUPS)], rng), rng)
        person = sample_identity(rng, "M" if k % 2 else "F", 60)
        own = StudyIdentifiers.of(names=[person.patient_name],
                                  staff=[person.referring_physician],
                                  ids=[person.mrn, person.accession],
                                  dates=[person.birth_date, person.study_date],
                                  phrases=[person.address])
        assert clean_text(report, own) == report
