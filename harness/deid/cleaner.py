"""The built-in text cleaner: the study's own identifiers, then identifiers of any study.

What it removes, each replaced by a placeholder (e-mail first, then whole values before their
parts: see :func:`_own_steps` for the order):

1. the study's own values, as its headers and keys spell them: address, institution and
   telephone (``[REDACTED]``); the patient's names whole and word by word, and the staff's
   names whole, as "Given Family" and as "Family, Given" (``[NAME]``); patient IDs, other
   IDs and accession numbers (``[ID]``, long numbers also with spaces or dashes inside);
   the birth and study dates in every usual spelling (``[DATE]``, see
   :mod:`cmrbench.deid.dates`);
2. identifiers of any study: e-mail addresses (``[EMAIL]``), values after a label ("MRN",
   "accession", "NHS number", "DOB", "patient name:"), any full date and month-with-year
   (``[DATE]``), phone numbers (``[PHONE]``) and titled names ("Dr. Smith", "Prof X").

Best effort: a name that is neither the study's own, nor titled, nor labelled (a relative's
name typed into a report) is not found. Numbers that carry findings ("EDV 148 ml",
"LVEF 57.5 %", "13 mm") match none of the patterns. Dates become a placeholder rather than
being shifted: a shift needs a key kept somewhere to stay reproducible (re-ingests must give
the same bytes) and would tell anyone holding it the true date; no benchmark task reads one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Protocol

from cmrbench.deid import dates, patterns
from cmrbench.deid.identifiers import StudyIdentifiers

FIELDS = ("report", "series_description", "message", "label")
NAME, ID, DATE, PHONE, EMAIL, REDACTED = ("[NAME]", "[ID]", "[DATE]", "[PHONE]", "[EMAIL]",
                                          "[REDACTED]")
NO_IDENTIFIERS = StudyIdentifiers()
MIN_NAME_PART = 3  # shorter name parts are removed only beside another part ("Wei Li")
_ALNUM_BEFORE, _ALNUM_AFTER = r"(?<![^\W_])", r"(?![^\W_])"  # '_' separates, as in SAX_1
_SEPARATORS = r"[\s,^]+"
Step = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]


class TextCleaner(Protocol):
    """What ingest calls on every free-text value it keeps: the cleaned text.

    ``identifiers`` are the study's own (from its keys and headers); ``field`` says what the
    text is, one of :data:`FIELDS`: a report, a series description, a message about a
    rejected file or study (which quotes descriptions and names files), or a text label.
    """

    def __call__(self, text: str, identifiers: StudyIdentifiers, field: str) -> str: ...


def clean_text(text: str, identifiers: StudyIdentifiers = NO_IDENTIFIERS,
               field: str = "report") -> str:
    """``text`` with the identifiers listed in this module's docstring replaced."""
    for pattern, replacement in (*_own_steps(identifiers), *_GENERIC_STEPS):
        text = pattern.sub(replacement, text)
    return _NAME_RUN.sub(NAME, text)


def _value_only(placeholder: str) -> Callable[[re.Match[str]], str]:
    """Keep a label, replace the value after it ("MRN 123" -> "MRN [ID]"); the value is the
    group named ``value`` or, where the pattern has two forms, ``words``."""
    def replace(match: re.Match[str]) -> str:
        group = "value" if match.group("value") is not None else "words"
        start = match.start(group) - match.start()
        return match.group(0)[:start] + placeholder
    return replace


_LABELLED_STEPS: tuple[Step, ...] = (
    (patterns.LABELLED_BIRTH, _value_only(DATE)),
    (patterns.LABELLED_ID, _value_only(ID)),
    (patterns.LABELLED_NAME, _value_only(NAME)),
    (patterns.CARET_NAME, NAME),
)
_GENERIC_STEPS: tuple[Step, ...] = (
    (dates.ANY_DATE, DATE),
    (patterns.PHONE, PHONE),
    (patterns.LABELLED_PHONE, _value_only(PHONE)),
    (patterns.TITLED_NAME, NAME),
)
# neighbouring names, with an initial between them ("[NAME] R. [NAME]") or the rest of a DICOM
# name after them ("[NAME]^R", "[NAME]^^DR"), are one name
_NAME_RUN = re.compile(r"\[NAME\](?:[\s,^]*(?:[A-Za-z]\.?[\s^]+)?\[NAME\])*"
                       r"(?:\^+(?:[A-Za-z]{1,3}\.?)?(?![^\W_]))*")


@functools.lru_cache(maxsize=64)
def _own_steps(identifiers: StudyIdentifiers) -> tuple[Step, ...]:
    """The study's own values as patterns, compiled once per study, around the labelled ones.

    E-mail first (a name inside an address would break it up), then whole values before
    anything could cut them up: phrases (an address), names as the headers spell them, then
    the labelled values and DICOM-style names, then name words, IDs and date spellings."""
    spellings = {s for value in identifiers.dates for s in dates.spellings(value)}
    whole = {*identifiers.names, *(v for n in identifiers.staff for v in full_names(n))}
    steps: list[Step] = [(patterns.EMAIL, EMAIL)]
    steps += _one_step(identifiers.phrases, _loose, REDACTED)
    steps += _one_step(whole, _loose, NAME)
    steps += _LABELLED_STEPS
    steps += _name_part_steps(identifiers.names)
    steps += _one_step(identifiers.ids, _id_body, ID)
    steps += _one_step(spellings, _loose, DATE)
    return tuple(steps)


def _one_step(values: Iterable[str], body: Callable[[str], str], placeholder: str
              ) -> list[Step]:
    """One pattern matching any of ``values`` as whole words (longest first), whatever the
    case; none when there are no values."""
    ordered = _longest_first(values)
    if not ordered:
        return []
    alternatives = "|".join(body(value) for value in ordered)
    return [(re.compile(f"{_ALNUM_BEFORE}(?:{alternatives}){_ALNUM_AFTER}", re.IGNORECASE),
             placeholder)]


def _name_part_steps(names: Iterable[str]) -> list[Step]:
    parts = {part for name in names for part in name_parts(name)}
    short = _longest_first(p for p in parts if len(p) < MIN_NAME_PART)
    steps = _one_step((p for p in parts if len(p) >= MIN_NAME_PART), re.escape, NAME)
    if short:
        words = "|".join(re.escape(p) for p in short)
        steps.append((re.compile(
            rf"(?:\[NAME\]{_SEPARATORS}(?:{words}){_ALNUM_AFTER}|"
            rf"{_ALNUM_BEFORE}(?:{words}){_SEPARATORS}\[NAME\])", re.IGNORECASE), NAME))
    return steps


def name_parts(name: str) -> list[str]:
    """The words of a person name's family, given and middle components (DICOM PN order;
    prefix and suffix such as "DR" are titles, not names)."""
    components = name.split("^")[:3] if "^" in name else [name]
    words = [w for c in components for w in re.split(r"[\s,.]+", c) if len(w) >= 2]
    return words + [part for w in words if "-" in w for part in w.split("-") if len(part) >= 2]


def full_names(name: str) -> list[str]:
    """A person name as written, and its given and family names in the usual orders."""
    if "^" not in name:
        return [name]
    family, given = (name.split("^") + [""])[:2]
    if not family or not given:
        return [name]
    return [name, f"{given} {family}", f"{family}, {given}"]


def _id_body(value: str) -> str:
    """An ID; a long number also with spaces, dots or dashes inside ("2444 5657")."""
    if value.isdigit() and len(value) >= 6:
        return r"[\s.-]?".join(value)
    return re.escape(value)


def _loose(phrase: str) -> str:
    """A phrase with any spacing, commas or dots between its words."""
    return r"[\s,.]+".join(re.escape(w) for w in re.split(r"[\s,]+", phrase) if w)


def _longest_first(values: Iterable[str]) -> list[str]:
    """Longest first, so a whole value goes before its parts; sorted, so runs are repeatable."""
    return sorted(set(values), key=lambda v: (-len(v), v))
