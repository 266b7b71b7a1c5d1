"""Clinical layout: a hospital PACS export with realistic fake PHI, plus reports and labels.

``dicom/<site>_<MRN>/<accession>/series_NNN/IMNNNNN.dcm`` per study. Folder names say nothing
about the view: loaders map vendor-style SeriesDescriptions (Siemens ``cine_trueFISP_4CH`` or
``SSFP 4 CHAMBER``, GE ``FIESTA CINE SAX``, Philips ``sBTFE_2ch``) to 4CH/3CH/2CH/SAX. Siemens
sites store each short-axis slice as its own series; GE and Philips put the whole stack in one
series (instances run slice by slice).

Every study also holds the series a real export holds beside the cines, several named like
cines (``_confusers``): a three-plane localizer, a single-phase localizer stack, a black-blood
stack, a TI scout and late enhancement, each with the header its sequence writes. The first
study acquired its 4CH twice, the repeat cut short after 60 % of the cycle (the complete first
acquisition is the truth); the second study's first 2CH attempt is motion-corrupted and
repeated (the repeat is the truth). truth.csv's ``quirks`` lists all of them.

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
import dataclasses
import json
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from cmrbench.phantom.anatomy import FINDINGS
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers import _confusers
from cmrbench.phantom.writers._confusers import AFTER_CINES, BEFORE_CINES, NAMES, confusers
from cmrbench.phantom.writers._dicom import SeriesSpec, encode_series, phantom_uid
from cmrbench.phantom.writers._files import study_rng
from cmrbench.phantom.writers._phi import named, with_phi
from cmrbench.phantom.writers._quirks import motion_corrupted

REQUIRED_VIEWS = ("SAX", "4CH", "3CH", "2CH")
PHI_FILE = "phi_planted.json"
LOCALIZER = {vendor: names[_confusers.LOCALIZER][0] for vendor, names in NAMES.items()}
_SEPARATE_SLICES = {"SIEMENS"}
NAMED_VIEWS = ("4CH",)  # series descriptions a technologist appended the patient's name to
INCOMPLETE_REPEAT, FAILED_FIRST = "incomplete_repeat_4ch", "failed_first_2ch"
REPEATS = (INCOMPLETE_REPEAT, FAILED_FIRST)  # by the study's position in the cohort
INCOMPLETE_FRACTION = 0.6


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write the DICOM export, reports, labels and the planted-PHI list."""
    reports, labels, planted, quirks = [], [], {}, {}
    for position, study in enumerate(studies):
        accession = study.identity.accession
        repeat = REPEATS[position] if position < len(REPEATS) else ""
        _write_study(study, out / "dicom" / study.patient_id / accession, repeat)
        quirks[study.study_id] = ";".join([*BEFORE_CINES, *AFTER_CINES] + [repeat] * bool(repeat))
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
    return quirks


def _write_study(study: PhantomStudy, root: Path, repeat: str) -> None:
    identity = study.identity
    header = {
        "PatientName": identity.patient_name, "PatientID": identity.mrn,
        "PatientBirthDate": identity.birth_date, "PatientAddress": identity.address,
        "AccessionNumber": identity.accession,
        "ReferringPhysicianName": identity.referring_physician,
        "StudyInstanceUID": phantom_uid(study, "study"), "StudyID": "1"}
    rng = study_rng(study, "clinical-series")
    names = study.scanner.descriptions
    for confuser in confusers(study, BEFORE_CINES, 1):
        spec = confuser.spec
        if confuser.kind == _confusers.LOCALIZER:  # the localizer is named as DICOM writes it
            spec = dataclasses.replace(spec, description=named(spec.description, study.identity))
        _write_series(study, spec, {**header, **confuser.header}, confuser.pixels, root)
    number = len(BEFORE_CINES)
    for view in ("4CH", "2CH", "3CH"):
        number += 1 + int(rng.integers(0, 3))
        number = _write_long_axis(study, view, number, header, root, repeat)
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
    for confuser in confusers(study, AFTER_CINES, spec.series_number + 1):
        _write_series(study, confuser.spec, {**header, **confuser.header}, confuser.pixels,
                      root)


def _write_long_axis(study: PhantomStudy, view: str, number: int, header: dict[str, object],
                     root: Path, repeat: str) -> int:
    """One long-axis cine from series ``number`` on, with its planted repeat; the last
    series number used."""
    name, cine = study.scanner.descriptions[view], study.views[view].cine[0]
    if view in NAMED_VIEWS:
        name = named(name, study.identity, plain=True)
    spec = SeriesSpec(view, 0, number, name, phantom_uid(study, "series", view))
    if repeat == FAILED_FIRST and view == "2CH":
        failed = dataclasses.replace(spec, series_uid=phantom_uid(study, "series", view, "1"))
        _write_series(study, failed, header, motion_corrupted(cine, study), root)
        spec = dataclasses.replace(spec, series_number=number + 1)
    _write_series(study, spec, header, None, root)
    if repeat == INCOMPLETE_REPEAT and view == "4CH":
        cut = dataclasses.replace(spec, series_number=spec.series_number + 1,
                                  series_uid=phantom_uid(study, "series", view, "2"))
        _write_series(study, cut, header, cine[:math.ceil(INCOMPLETE_FRACTION * len(cine))],
                      root)
        return cut.series_number
    return spec.series_number


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
