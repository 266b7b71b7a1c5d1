"""Identifiers typed into free text, as hospital staff type them, for de-identification tests.

Technologists append the patient's name to a series description; reports end with the
patient's name, MRN and birth date and say who the results were discussed with, when, and
how to reach them. Each study gets one such closing sentence pair, its spellings drawn from
the study's own generator (DICOM or plain name, six birth-date formats, a titled physician,
a date, a phone number or an e-mail address), and :func:`planted` lists every value written.
"""

from __future__ import annotations

import datetime as dt

from cmrbench.phantom.identity import Identity
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers._files import study_rng

_PHYSICIANS = ("Nelson", "Okafor", "Lindqvist", "Moreau", "Petrov", "Castellanos")
_TITLES = ("Dr.", "Dr", "Prof.")
_BIRTH_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y", "{day} %b %Y", "%B {day}, %Y", "{short}")


def named(description: str, identity: Identity, plain: bool = False) -> str:
    """A series description with the patient's name appended, as a technologist types it:
    copied from the worklist (``WHITE^ANTHONY^R``) or typed out (``Anthony White``), which
    only a cleaner that knows the patient's name can find."""
    if not plain:
        return f"{description} {identity.patient_name}"
    family, given = identity.patient_name.split("^")[:2]
    return f"{description} {given.title()} {family.title()}"


def free_text(study: PhantomStudy) -> dict[str, str]:
    """The identifying values one study's report closes with, by what they are."""
    rng = study_rng(study, "free-text-phi")
    identity = study.identity
    family, given, middle = identity.patient_name.split("^")
    names = (identity.patient_name, f"{given.title()} {family.title()}",
             f"{family}, {given.title()}", f"{given.title()} {middle}. {family.title()}")
    birth = dt.datetime.strptime(identity.birth_date, "%Y%m%d")
    spelling = _BIRTH_FORMATS[int(rng.integers(len(_BIRTH_FORMATS)))].format(
        day=birth.day, short=f"{birth.day}/{birth.month}/{birth.year % 100:02d}")
    discussed = (dt.datetime.strptime(identity.study_date, "%Y%m%d")
                 + dt.timedelta(days=int(rng.integers(1, 9))))
    values = {"ReportName": names[int(rng.integers(len(names)))],
              "ReportMRN": identity.mrn, "ReportBirthDate": birth.strftime(spelling),
              "ReportPhysician": _PHYSICIANS[int(rng.integers(len(_PHYSICIANS)))],
              "ReportDate": discussed.strftime("%Y-%m-%d" if rng.random() < 0.5 else "%d %B %Y")}
    if rng.random() < 0.5:
        values["ReportPhone"] = f"020 7946 0{int(rng.integers(100, 1000))}"
    else:
        values["ReportEmail"] = f"{values['ReportPhysician'].lower()}@cardiology.example.org"
    return values


def closing(study: PhantomStudy, values: dict[str, str]) -> str:
    """The report's closing sentences carrying ``values`` (from :func:`free_text`)."""
    title = _TITLES[int(study_rng(study, "free-text-title").integers(len(_TITLES)))]
    contact = (f" (tel. {values['ReportPhone']})" if "ReportPhone" in values
               else f" ({values['ReportEmail']})")
    return (f"Patient {values['ReportName']}, MRN {values['ReportMRN']}, DOB "
            f"{values['ReportBirthDate']}. Discussed with {title} {values['ReportPhysician']}"
            f"{contact} on {values['ReportDate']}.")


def with_phi(study: PhantomStudy) -> tuple[str, dict[str, str]]:
    """The study's report as a site's CSV holds it, and the identifying values it carries."""
    values = free_text(study)
    return f"{study.report} {closing(study, values)}", values
