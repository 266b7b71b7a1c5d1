"""Clinical layout: a hospital PACS export with realistic fake PHI, plus reports and labels.

``dicom/<site>_<MRN>/<accession>/series_NNN/IMNNNNN.dcm`` per study. Folder names say nothing
about the view: loaders map vendor-style SeriesDescriptions (Siemens ``cine_trueFISP_4CH`` or
``SSFP 4 CHAMBER``, GE ``FIESTA CINE SAX``, Philips ``sBTFE_2ch``) to 4CH/3CH/2CH/SAX. Siemens
sites store each short-axis slice as its own series; GE and Philips put the whole stack in one
series (instances run slice by slice). Every study also holds a one-image localizer that is
not a cine.

Headers carry invented PHI (PatientName, PatientID = MRN, PatientBirthDate, PatientAddress,
AccessionNumber, ReferringPhysicianName, InstitutionName, dates), and so does free text: the
4CH SeriesDescription ends with the patient's name typed out (only the headers tell a cleaner
it is a name) and the localizer's with it as DICOM writes it, and every report ends with
the patient's name, MRN and birth date and a titled physician, a date and a phone number or
e-mail address (``_phi``). ``reports.csv`` has ``accession,report``; ``labels.csv`` has
``accession,group`` and one 0/1 column per finding. ``phi_planted.json`` (not part of a real
export) lists every planted identifying value so a de-identification test can search output
bytes for them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from cmrbench.phantom.anatomy import FINDINGS
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers._dicom import SeriesSpec, encode_series, phantom_uid
from cmrbench.phantom.writers._files import study_rng
from cmrbench.phantom.writers._phi import named, with_phi

REQUIRED_VIEWS = ("SAX", "4CH", "3CH", "2CH")
NAMED_VIEWS = ("4CH",)  # series descriptions a technologist appended the patient's name to
PHI_FILE = "phi_planted.json"
LOCALIZER = {"SIEMENS": "localizer", "GE MEDICAL SYSTEMS": "3-Plane Loc",
             "Philips Medical Systems": "Survey"}
_SEPARATE_SLICES = {"SIEMENS"}


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write the DICOM export, reports, labels and the planted-PHI list."""
    reports, labels, planted = [], [], {}
    for study in studies:
        accession = study.identity.accession
        _write_study(study, out / "dicom" / study.patient_id / accession)
        report, free_text = with_phi(study)
        reports.append((accession, report))
        labels.append((accession, study.group,
                       *(int(study.findings[name]) for name in FINDINGS)))
        planted[accession] = {**study.identity.phi_values,
                              "InstitutionName": study.scanner.institution, **free_text,
                              "SeriesDescriptionName": named("", study.identity, True).strip()}
    _write_csv(out / "reports.csv", ("accession", "report"), reports)
    _write_csv(out / "labels.csv", ("accession", "group", *FINDINGS), labels)
    values = sorted({v for phi in planted.values() for v in phi.values()})
    (out / PHI_FILE).write_text(json.dumps({"studies": planted, "values": values}, indent=1))
    return {}


def _write_study(study: PhantomStudy, root: Path) -> None:
    identity = study.identity
    header = {
        "PatientName": identity.patient_name, "PatientID": identity.mrn,
        "PatientBirthDate": identity.birth_date, "PatientAddress": identity.address,
        "AccessionNumber": identity.accession,
        "ReferringPhysicianName": identity.referring_physician,
        "StudyInstanceUID": phantom_uid(study, "study"), "StudyID": "1"}
    rng = study_rng(study, "clinical-series")
    names = study.scanner.descriptions
    number = 1
    localizer = SeriesSpec("4CH", 0, number,
                           named(LOCALIZER.get(study.vendor, "localizer"), identity),
                           phantom_uid(study, "series", "localizer"))
    not_a_cine = {"ImageType": ["ORIGINAL", "PRIMARY", "OTHER"], "CardiacNumberOfImages": 1}
    _write_series(study, localizer, {**header, **not_a_cine}, study.views["4CH"].cine[0, :1],
                  root)
    for view in ("4CH", "2CH", "3CH"):
        number += 1 + int(rng.integers(0, 3))
        description = named(names[view], identity, plain=True) if view in NAMED_VIEWS else (
            names[view])
        spec = SeriesSpec(view, 0, number, description, phantom_uid(study, "series", view))
        _write_series(study, spec, header, None, root)
    sax = study.views["SAX"]
    slices = range(sax.n_slices)[::-1] if study.scanner.apex_first else range(sax.n_slices)
    number += 1 + int(rng.integers(0, 3))
    separate = study.vendor in _SEPARATE_SLICES
    for order, k in enumerate(slices):
        if separate:
            spec = SeriesSpec("SAX", k, number + order, names["SAX"].format(n=k + 1),
                              phantom_uid(study, "series", "SAX", k))
        else:
            spec = SeriesSpec("SAX", k, number, names["SAX"].format(n=k + 1),
                              phantom_uid(study, "series", "SAX"),
                              first_instance=order * sax.n_frames + 1)
        _write_series(study, spec, header, None, root)


def _write_series(study: PhantomStudy, spec: SeriesSpec, header: dict[str, object],
                  pixels: np.ndarray | None, root: Path) -> None:
    folder = root / f"series_{spec.series_number:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    for encoded in encode_series(study, spec, header, pixels):
        (folder / f"IM{spec.first_instance + encoded.frame:05d}.dcm").write_bytes(encoded.data)


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
