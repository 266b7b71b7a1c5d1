"""A study's own identifiers, gathered where they are still raw: its keys and its headers.

Discovery knows a study's raw keys (folder and file names: MRN, accession, eid) and decoding
reads its DICOM headers; both hand what they saw to a :class:`StudyIdentifiers`, which the
text cleaner removes from every free-text value before it leaves the ingest worker. The
identifiers themselves are never written anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pydicom
from pydicom.datadict import tag_for_keyword

MIN_ID_CHARS = 4  # shorter IDs (Kaggle's 1..1140) cannot be told from numbers in text
MIN_NUMERIC_ID_DIGITS = 5  # a 4-digit ID would erase "T1 1050 ms"
MIN_PHRASE_CHARS = 6  # an institution named "MRI" must not erase "MRI" everywhere
_KEY_PARTS = re.compile(r"[/\\_\s^.-]+")

# DICOM keywords whose values identify the patient, the people around the study, the place
PATIENT_NAMES = ("PatientName", "OtherPatientNames", "PatientBirthName",
                 "PatientMotherBirthName")
STAFF_NAMES = ("ReferringPhysicianName", "PerformingPhysicianName",
               "NameOfPhysiciansReadingStudy", "RequestingPhysician", "OperatorsName",
               "PhysiciansOfRecord")
IDS = ("PatientID", "OtherPatientIDs", "AccessionNumber", "StudyID", "MedicalRecordLocator",
       "RequestedProcedureID", "AdmissionID")
DATES = ("PatientBirthDate", "StudyDate")
PHRASES = ("PatientAddress", "PatientTelephoneNumbers", "InstitutionName", "InstitutionAddress")


@dataclass(frozen=True)
class StudyIdentifiers:
    """What identifies one study, as its source spells it.

    ``names``: the patient's names (DICOM ``FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX`` or plain
    text), removed whole and word by word; ``staff``: names of the people around the study
    (physicians, operators), removed whole and as "Given Family" or "Family, Given", never
    word by word (an operator field holding "CMR" must not erase "CMR" from every text);
    ``ids``: patient IDs, accession numbers, raw study keys; ``dates``: dates as DICOM DA
    (``YYYYMMDD``), e.g. the birth date; ``phrases``: other values removed only whole
    (address, institution). Combine with ``|``.
    """

    names: frozenset[str] = frozenset()
    staff: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    phrases: frozenset[str] = frozenset()

    def __or__(self, other: StudyIdentifiers) -> StudyIdentifiers:
        return StudyIdentifiers(*(getattr(self, f) | getattr(other, f) for f in _FIELDS))

    def __bool__(self) -> bool:
        return any(getattr(self, f) for f in _FIELDS)

    def __repr__(self) -> str:  # never print the values: a repr ends up in logs
        counts = ", ".join(f"{len(getattr(self, f))} {f}" for f in _FIELDS)
        return f"StudyIdentifiers({counts})"

    @classmethod
    def of(cls, *, names: Iterable[str] = (), staff: Iterable[str] = (),
           ids: Iterable[str] = (), dates: Iterable[str] = (), phrases: Iterable[str] = ()
           ) -> StudyIdentifiers:
        """Identifiers from plain values; blanks, and IDs and phrases too short to search
        for without erasing ordinary text, are dropped."""
        return cls(_kept(names), _kept(s for s in staff if "^" in s or searchable_phrase(s)),
                   _kept(i for i in ids if searchable_id(i)),
                   _kept(dates), _kept(p for p in phrases if searchable_phrase(p)))


_FIELDS = ("names", "staff", "ids", "dates", "phrases")


def from_keys(*keys: str) -> StudyIdentifiers:
    """The identifiers in raw study keys: each key whole, and each of its parts that holds a
    digit (``SITE_A_24445657`` gives itself and ``24445657``; ``SITE`` and ``A`` are not IDs)."""
    ids = set()
    for key in keys:
        ids.add(key)
        ids.update(part for part in _KEY_PARTS.split(key) if any(c.isdigit() for c in part))
    return StudyIdentifiers.of(ids=ids)


def searchable_id(value: str) -> bool:
    """Whether an ID is long enough to be searched for in text without erasing measurements."""
    value = value.strip()
    if value.isdigit():
        return len(value) >= MIN_NUMERIC_ID_DIGITS
    return len(value) >= MIN_ID_CHARS


def searchable_phrase(value: str) -> bool:
    """Whether a value removed whole is long enough not to be an everyday word ("MRI")."""
    return len(value.strip()) >= MIN_PHRASE_CHARS


_HEADER_TAGS = tuple(tag_for_keyword(k) for k in (
    "SpecificCharacterSet", *PATIENT_NAMES, *STAFF_NAMES, *IDS, *DATES, *PHRASES,
    "OtherPatientIDsSequence"))
_SEEN: dict[tuple, StudyIdentifiers] = {}
_SEEN_LIMIT = 4096


def from_dicom(ds: pydicom.Dataset) -> StudyIdentifiers:
    """The identifying values of one DICOM header (only those listed above are read).

    Every file of a study repeats the same values, and converting them costs more than
    reading the file's geometry, so a header whose identifying elements hold the same bytes
    as one seen before gets the same answer without converting them again.
    """
    key = tuple(_raw(ds, tag) for tag in _HEADER_TAGS)
    if any(value is _UNKEYED for value in key):
        return _read_header(ds)
    if key not in _SEEN:
        if len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.clear()
        _SEEN[key] = _read_header(ds)
    return _SEEN[key]


_UNKEYED = object()


def _raw(ds: pydicom.Dataset, tag: int) -> object:
    """An element's undecoded bytes (None when absent); ``_UNKEYED`` once pydicom converted it
    (the value then need not be hashable)."""
    element = ds.get_item(tag)
    if element is None:
        return None
    value = element.value
    return value if isinstance(value, (bytes, str)) else _UNKEYED


def _read_header(ds: pydicom.Dataset) -> StudyIdentifiers:
    ids = [*_values(ds, IDS)]
    for item in ds.get("OtherPatientIDsSequence", None) or ():
        ids += _values(item, ("PatientID",))
    return StudyIdentifiers.of(names=_values(ds, PATIENT_NAMES),
                               staff=_values(ds, STAFF_NAMES), ids=ids,
                               dates=_values(ds, DATES), phrases=_values(ds, PHRASES))


def _values(ds: pydicom.Dataset, keywords: Iterable[str]) -> list[str]:
    found = []
    for keyword in keywords:
        value = ds.get(keyword, None)
        if value is None or value == "":
            continue
        multiple = isinstance(value, pydicom.multival.MultiValue)
        found += [str(v) for v in value] if multiple else [str(value)]
    return found


def _kept(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v and v.strip())
