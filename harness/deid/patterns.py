"""Identifiers that look the same in any study: e-mail, phone numbers, titled and DICOM-style
names, and values after an identifying label ("MRN 24445657", "DOB: ...").

Each pattern is written to miss the numbers reports are made of: a phone number needs a
``+``, an area code in brackets, dashes or dots in the North American 3-3-4 form, a trunk
``0`` in the British form, or a word such as "tel" before it, never bare spaced numbers
("T1 1020 1050 1100 ms"); titles are case-sensitive where they spell a finding ("MR" is mitral
regurgitation, "MS" mitral stenosis).
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

_DIGITS = r"\d[\d \t.-]{5,}\d"
PHONE = re.compile(
    r"(?<![\w.+])(?:"
    rf"\+\d{{1,3}}[ .-]?(?:\(0?\d{{1,4}}\)[ .-]?)?{_DIGITS}"  # +44 20 7946 0958
    r"|\(\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}"  # (555) 123-4567
    r"|\d{3}[.-]\d{3}[.-]\d{4}"  # 555-123-4567
    r"|0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}"  # 020 7946 0958, 01632 960123
    r")(?![\w])")
# any number after a word that says it is one: "bleep 4455", "ext. 12", "tel: 5551234"
LABELLED_PHONE = re.compile(
    r"(?i:\b(?:tel(?:ephone)?|phone|fax|mob(?:ile)?|cell|pager|bleep|ext(?:ension)?)\b"
    r"\.?(?:\s*(?:no\.?|number|#))?\s*[:#]?\s*)(?P<value>\+?\d[\d ().-]{2,}\d)")

_NAME_TOKEN = r"(?:[A-Z]\.?\s*){0,2}[A-Z][A-Za-z'\u2019]*(?:-[A-Z][A-Za-z'\u2019]+)?"
_SURNAME = r"[A-Z][a-z'\u2019][A-Za-z'\u2019]*(?:-[A-Z][A-Za-z'\u2019]+)?"
# a title and one name (initials allowed), then at most one more name in Title case, so that
# a capitalised finding after an all-caps name ("DR SMITH LVEF 55%") is not taken as a name;
# "[NAME]" stands for a known name already replaced
TITLED_NAME = re.compile(
    r"(?<![\w])(?:(?i:dr|doctor|prof|professor)|Mr|Mrs|Ms|Miss|Mx|Sister|Nurse)(?:\.\s*|\s+)"
    rf"(?:\[NAME\](?:-[A-Za-z'\u2019]+)?|{_NAME_TOKEN}(?:\s+{_SURNAME})?)(?![\w])")

# DICOM person names typed into text: FAMILY^GIVEN[^MIDDLE...]
CARET_NAME = re.compile(r"[A-Za-z'\u2019-]+(?:\^[A-Za-z'\u2019.-]*)+[A-Za-z.]")

_ID_LABEL = (r"MRN|medical\s+record\s+(?:number|no\.?)|hospital\s+(?:number|no\.?)|"
             r"patient\s+(?:id|number|no\.?)|NHS\s+(?:number|no\.?)|chart\s+(?:number|no\.?)|"
             r"accession(?:\s+(?:number|no\.?))?|acc\.?\s*(?:no\.?|#)|case\s+(?:number|no\.?)")
LABELLED_ID = re.compile(rf"(?i:\b(?:{_ID_LABEL}))\s*[:#]?\s*"
                         r"(?P<value>[A-Za-z]{0,3}\d[\w/-]*(?:[ -]\d{3,4}){0,2})")

_BIRTH_LABEL = r"DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?"
LABELLED_BIRTH = re.compile(
    rf"(?i:\b(?:{_BIRTH_LABEL}))\s*[:#]?\s*(?P<value>\d{{1,4}}[-/. ]\d{{1,2}}[-/. ]\d{{2,4}}"
    r"|\d{8}|\d{1,2}\s*[A-Za-z]{3,9}\.?,?\s*\d{2,4}|[A-Za-z]{3,9}\.?\s*\d{1,2},?\s*\d{2,4})")

_NAME_LABEL = r"patient(?:'s)?\s+name|name\s+of\s+patient|patient|pt"
# "Patient name: Smith", or two or three capitalised words after "Patient" ("Patient Betty
# Lopez", "Patient ANDERSON, Richard"): a source without headers names no one to look for
_NEXT_NAME = rf"(?!(?:MRN|DOB|NHS|ID|DR|ACC|AGE|SEX)\b){_NAME_TOKEN}"  # not the next label
LABELLED_NAME = re.compile(
    rf"(?i:\b(?:{_NAME_LABEL}))(?:\s*:\s*(?P<value>{_NAME_TOKEN}(?:,?\s+{_NEXT_NAME}){{0,2}})"
    rf"|\.?\s+(?P<words>{_NAME_TOKEN}(?:,?\s+{_NEXT_NAME}){{1,2}}))(?![\w])")
