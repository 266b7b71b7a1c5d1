"""Numeric slots: a sentence as its wording (the template) and the numbers written into it.

"LVEF is 57%." is the template ``("LVEF is ", "%.")`` with one slot holding 57. A number is
a run of digits, optionally with a decimal point and one or two more digits, standing on its
own: digits inside a word ("4CH", "T2", "b3") are wording, not a value. A value becomes tokens
only when its text comes back exactly: an integer 0..999 without leading zeros is one value
token, a decimal adds one fraction token (".5" or ".25"); anything else ("007", "1200",
"3.125") keeps its sentence out of the template and in word pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
MAX_INTEGER = 999
INTEGERS = MAX_INTEGER + 1
FRACTIONS_1 = tuple(f".{d}" for d in range(10))
FRACTIONS_2 = tuple(f".{d:02d}" for d in range(100))
FRACTIONS = FRACTIONS_1 + FRACTIONS_2

Template = tuple[str, ...]
"""The literal pieces of a sentence around its slots: n slots, n + 1 pieces."""


@dataclass(frozen=True)
class SlotValue:
    """A number as tokens: its integer part, and the index of its fraction in FRACTIONS."""

    integer: int
    fraction: int | None = None

    @property
    def text(self) -> str:
        suffix = "" if self.fraction is None else FRACTIONS[self.fraction]
        return f"{self.integer}{suffix}"

    @property
    def number(self) -> float:
        """The value as a number, for the encoder's numeric embedding."""
        return self.integer + (0.0 if self.fraction is None else fraction_value(self.fraction))


def fraction_value(index: int) -> float:
    """The number a fraction token adds: .5 -> 0.5, .25 -> 0.25."""
    return float(FRACTIONS[index])


def parse_value(text: str) -> SlotValue | None:
    """The tokens of a number's text, or None when tokens could not give the text back."""
    whole, _, decimals = text.partition(".")
    integer = int(whole)
    if integer > MAX_INTEGER or str(integer) != whole:
        return None
    if not decimals:
        return SlotValue(integer)
    fraction = f".{decimals}"
    if fraction not in FRACTIONS:
        return None
    return SlotValue(integer, FRACTIONS.index(fraction))


def split_template(sentence: str) -> tuple[Template, list[str]]:
    """The sentence's template and its numbers' texts, in order."""
    pieces, numbers, start = [], [], 0
    for match in NUMBER.finditer(sentence):
        pieces.append(sentence[start:match.start()])
        numbers.append(match.group())
        start = match.end()
    pieces.append(sentence[start:])
    return tuple(pieces), numbers


def fill(template: Template, values: list[SlotValue]) -> str:
    """The sentence a template and its values spell (the inverse of :func:`split_template`)."""
    if len(values) != len(template) - 1:
        raise ValueError(f"template {display(template)!r} has {len(template) - 1} slot(s), "
                         f"got {len(values)} value(s)")
    out = [template[0]]
    for value, piece in zip(values, template[1:], strict=True):
        out += [value.text, piece]
    return "".join(out)


def display(template: Template) -> str:
    """A template for people: each slot shown as N ("LVEF is N%.")."""
    return "N".join(template)
