"""Realistic fake patient identity (PHI) and study identifiers, drawn deterministically.

Every value is invented: names come from short common-name lists, numbers from the study's
random generator. They exist so that de-identification can be tested against known values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

_GIVEN_M = ("James", "Robert", "John", "Michael", "David", "William", "Richard", "Thomas",
            "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew",
            "Joshua", "Kevin", "Brian", "George", "Edward", "Ronald", "Timothy", "Jason")
_GIVEN_F = ("Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
            "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley",
            "Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Laura")
_FAMILY = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
           "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor",
           "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
           "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
           "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts")
_STREETS = ("Oak", "Maple", "Cedar", "Elm", "Pine", "Willow", "Birch", "Chestnut", "Hawthorn")
_TOWNS = ("Springfield", "Riverton", "Fairview", "Greenville", "Kingsport", "Ashford")
_FIRST_STUDY = dt.date(2014, 1, 6)
_STUDY_DAYS = 3600


@dataclass(frozen=True)
class Identity:
    """Who was scanned and when: the values a de-identifier must remove or replace."""

    patient_name: str  # DICOM person name, FAMILY^GIVEN^MIDDLE
    sex: str  # M or F
    age_years: int
    birth_date: str  # YYYYMMDD
    study_date: str  # YYYYMMDD
    study_time: str  # HHMMSS
    mrn: str  # hospital medical record number
    accession: str
    referring_physician: str
    address: str

    @property
    def phi_values(self) -> dict[str, str]:
        """The planted identifying values, keyed by the DICOM keyword that carries them."""
        return {"PatientName": self.patient_name, "PatientID": self.mrn,
                "PatientBirthDate": self.birth_date, "AccessionNumber": self.accession,
                "ReferringPhysicianName": self.referring_physician,
                "PatientAddress": self.address, "StudyDate": self.study_date}


def sample_identity(rng: np.random.Generator, sex: str, age_years: int) -> Identity:
    """A fresh fake identity for a patient of the given sex and age."""
    given = rng.choice(_GIVEN_M if sex == "M" else _GIVEN_F)
    family = rng.choice(_FAMILY)
    middle = chr(ord("A") + int(rng.integers(26)))
    study = _FIRST_STUDY + dt.timedelta(days=int(rng.integers(_STUDY_DAYS)))
    birth = study - dt.timedelta(days=int(365.25 * age_years + rng.integers(0, 365)))
    hour, minute, second = rng.integers(7, 19), rng.integers(60), rng.integers(60)
    doctor = f"{rng.choice(_FAMILY).upper()}^{rng.choice(_GIVEN_M + _GIVEN_F).upper()}^^DR"
    address = (f"{rng.integers(1, 400)} {rng.choice(_STREETS)} Street, "
               f"{rng.choice(_TOWNS)} {rng.integers(10000, 99999)}")
    return Identity(
        patient_name=f"{family.upper()}^{given.upper()}^{middle}", sex=sex, age_years=age_years,
        birth_date=birth.strftime("%Y%m%d"), study_date=study.strftime("%Y%m%d"),
        study_time=f"{hour:02d}{minute:02d}{second:02d}",
        mrn=f"{rng.integers(10_000_000, 99_999_999)}",
        accession=f"A{rng.integers(100_000_000, 999_999_999)}",
        referring_physician=doctor, address=address)
