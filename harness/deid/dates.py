"""Dates in free text: every usual spelling of a known date, and a pattern for any full date.

A known date (a birth date from the header) is searched in all the spellings people type,
two-digit years included; any other date is found by :data:`ANY_DATE`, which asks for a
four-digit year, so that fractions ("3/4 segments"), ratios ("120/80") and lone years ("since
2019") are left alone; a month with its year ("March 2019") is a date element too (HIPAA Safe
Harbor keeps only the year).
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
          r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_NUM_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:1[89]|20)\d{2}"
_SEP = r"[-/.]"

ANY_DATE = re.compile(
    r"(?<![A-Za-z0-9./])(?:"
    rf"{_YEAR}{_SEP}{_NUM_MONTH}{_SEP}(?:0?[1-9]|[12]\d|3[01])"  # 2026-03-04, 2026/3/4
    rf"|(?:0?[1-9]|[12]\d|3[01]){_SEP}(?:0?[1-9]|[12]\d|3[01]){_SEP}{_YEAR}"  # 04/03/2026
    rf"|{_DAY}[\s-]*{_MONTH}[\s,-]*{_YEAR}"  # 3 Jan 1952, 03-Jan-1952, 3rd January, 1952
    rf"|{_MONTH}\s*{_DAY},?\s*{_YEAR}"  # Jan 3, 1952, January 3rd 1952
    rf"|{_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"  # 19520103
    rf"|{_MONTH}\s+{_YEAR}|(?:0?[1-9]|1[0-2])/{_YEAR}"  # March 2019, 03/2019
    r")(?![A-Za-z0-9/]|\.\d)",
    re.IGNORECASE)


def spellings(dicom_date: str) -> list[str]:
    """Every usual way of writing a DICOM date (``YYYYMMDD``); [] when it is not one."""
    try:
        day = dt.datetime.strptime(dicom_date.strip()[:8], "%Y%m%d").date()
    except ValueError:
        return []
    d, m, y, yy = day.day, day.month, day.year, day.year % 100
    month = MONTHS[m - 1]
    numeric = set()
    for first, second in ((d, m), (m, d)):  # day first (Europe) and month first (US)
        for a, b in ((f"{first:02d}", f"{second:02d}"), (str(first), str(second))):
            for year in (str(y), f"{yy:02d}"):
                numeric |= {f"{a}{sep}{b}{sep}{year}" for sep in "/.-"}
    iso = {f"{y}{sep}{m:02d}{sep}{d:02d}" for sep in "-/."} | {f"{y}{m:02d}{d:02d}"}
    named = {f"{day_text} {name} {year}"
             for day_text in (str(d), f"{d:02d}") for name in (month, month[:3])
             for year in (str(y), f"{yy:02d}")}
    named |= {f"{name} {d}, {y}" for name in (month, month[:3])}
    named |= {f"{d:02d}{month[:3]}{y}", f"{d:02d}-{month[:3]}-{y}"}
    return sorted(numeric | iso | named, key=lambda s: (-len(s), s))
