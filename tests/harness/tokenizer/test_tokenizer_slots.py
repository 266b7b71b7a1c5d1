"""Numeric slots: which digits are values, and which values tokens can spell exactly."""

from __future__ import annotations

import pytest
from cmrbench.tokenizer.slots import FRACTIONS, SlotValue, fill, parse_value, split_template


@pytest.mark.parametrize(("sentence", "template", "numbers"), [
    ("LVEF is 57%.", ("LVEF is ", "%."), ["57"]),
    ("EDV 180 ml, ESV 75.5 ml.", ("EDV ", " ml, ESV ", " ml."), ["180", "75.5"]),
    ("Normal 4CH and SAX b3 cines.", ("Normal 4CH and SAX b3 cines.",), []),
    ("T2 mapping 45 ms.", ("T2 mapping ", " ms."), ["45"]),
    ("Wall 1.2.3 mm.", ("Wall ", ".3 mm."), ["1.2"]),
])
def test_numbers_standing_alone_are_slots_and_digits_in_words_are_wording(sentence, template,
                                                                          numbers):
    assert split_template(sentence) == (template, numbers)
    values = [parse_value(n) for n in numbers]
    assert fill(template, values) == sentence


@pytest.mark.parametrize(("text", "expected"), [
    ("0", SlotValue(0)), ("57", SlotValue(57)), ("999", SlotValue(999)),
    ("57.5", SlotValue(57, FRACTIONS.index(".5"))), ("1.25", SlotValue(1, FRACTIONS.index(".25"))),
    ("3.05", SlotValue(3, FRACTIONS.index(".05"))),
    ("007", None), ("1000", None), ("3.125", None),
])
def test_a_value_is_tokens_only_when_they_spell_its_text_exactly(text, expected):
    value = parse_value(text)
    assert value == expected
    if value is not None:
        assert value.text == text
        assert value.number == pytest.approx(float(text))


def test_fill_refuses_the_wrong_number_of_values():
    with pytest.raises(ValueError, match="has 1 slot"):
        fill(("LVEF is ", "%."), [])
