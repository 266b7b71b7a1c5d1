"""Identifiers typed into free text are gone from what ingest writes, and the findings stay.

The phantom's clinical layouts plant them as sites meet them: the patient's name appended to
the 4CH and localizer series descriptions (technologists do this), and every report closing
with the patient's name, MRN and birth date, a titled physician, a date and a phone number or
e-mail address (``cmrbench.phantom.writers._phi``). The clinical layout's headers name the
patient; the clinical-h5 layout has no headers, so there only the keys and the patterns of any
study can find them. The scan of every byte written is in test_datasets_ingest_cli.py.
"""

from __future__ import annotations

import json

import pytest
from cmrbench.phantom.writers._phi import free_text
from cmrbench.phantom.writers.clinical import LOCALIZER


@pytest.mark.parametrize("layout", ["clinical", "clinical_h5"])
def test_reports_keep_every_finding_and_lose_every_identifier(layout, request):
    ingested = request.getfixturevalue(layout)
    for study in ingested.studies:
        stored = ingested.store.report(ingested.store_id(study.study_id))
        truth = ingested.truth_row(study.study_id)
        assert stored.startswith(f"{study.report} ")  # the findings, character for character
        for number in (f"{round(truth['lvef'])}%", f"{round(truth['edv_ml'])} m",
                       f"{round(truth['wall_thickness_mm'])} mm"):
            assert number in stored
        planted = free_text(study)
        contact = "tel. [PHONE]" if "ReportPhone" in planted else "[EMAIL]"
        assert stored[len(study.report) + 1:] == (
            f"Patient [NAME], MRN [ID], DOB [DATE]. Discussed with [NAME] ({contact}) on "
            "[DATE].")


def test_series_descriptions_are_kept_without_the_name_in_the_store_and_the_report(clinical):
    for study in clinical.studies:
        store_id = clinical.store_id(study.study_id)
        assert clinical.store.geometry(store_id, "4CH")["series_description"] == (
            f"{study.scanner.descriptions['4CH']} [NAME]")
        details = {item["detail"] for item in clinical.report.rejected_files
                   if item["study"] == store_id}
        localizer = f"{LOCALIZER[study.vendor]} [NAME]"
        assert f"{localizer!r}: the card's view map leaves it out as a localizer, survey or " \
               "planning scan" in details
    family_names = {s.identity.patient_name.split("^")[0] for s in clinical.studies}
    saved = (clinical.store.root / "ingest_report.json").read_text()
    assert not {name for name in family_names if name in saved.upper()}
    assert json.loads(saved)["rejected_files"]
