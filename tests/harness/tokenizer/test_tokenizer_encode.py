"""Encoding reports as template tokens: exact round trips, numeric slots, word-piece fallback,
and the compression EchoCLIP-R's template tokenizer is for."""

from __future__ import annotations

import statistics
import string

import pytest
from cmrbench.phantom import report as phantom_report
from cmrbench.tokenizer import TemplateTokenizer, WordPieceError, mine_vocabulary
from cmrbench.tokenizer.slots import FRACTIONS
from cmrbench.tokenizer.tokenizer import FRACTION_BASE, TEMPLATE_BASE, VALUE_BASE
from cmrbench.tokenizer.wordpiece import WordPieces


def phantom_templates() -> list[str]:
    """Every sentence template of the phantom's report generator (harness/phantom/report.py),
    read from its tables: the independent truth of what a template sentence is."""
    found = []
    for name, table in vars(phantom_report).items():
        if name.startswith("_") and name.isupper() and isinstance(table, (tuple, dict)):
            groups = table.values() if isinstance(table, dict) else [table]
            found += [sentence for group in groups for sentence in group]
    return found


def written(template: str, numbers: dict[str, str]) -> str:
    """A template with its numeric fields set to ``numbers`` and its words to fixed ones."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    words = {"segment": "inferior", "size": "large", "Size": "Large"}
    return template.format(**{f: words.get(f, numbers.get(f)) for f in fields})


def numeric_fields(template: str) -> int:
    return sum(1 for _, name, _, _ in string.Formatter().parse(template)
               if name and name not in ("segment", "size", "Size"))


TRAINING = {"ef": "57", "edv": "143", "esv": "62", "wt": "9", "rvedv": "150", "rvef": "55",
            "mm": "12"}
HELD_OUT = {"ef": "23", "edv": "288", "esv": "221", "wt": "17", "rvedv": "241", "rvef": "31",
            "mm": "4"}


@pytest.fixture(scope="module")
def tokenizer(wordpieces, tmp_path_factory):
    """A vocabulary mined from reports that each write every phantom template once, with
    the TRAINING numbers, plus the generator's own reports."""
    corpus = [" ".join(written(t, TRAINING) for t in phantom_templates())] * 2
    vocabulary = mine_vocabulary(corpus, wordpieces.identity()).write(
        tmp_path_factory.mktemp("vocab") / "vocab.json")
    return TemplateTokenizer(vocabulary, wordpieces)


def test_every_template_sentence_round_trips_exactly_with_new_numbers(tokenizer):
    templates = phantom_templates()
    assert len(templates) > 60
    for template in templates:
        sentence = written(template, HELD_OUT)
        encoded = tokenizer.encode(sentence)
        assert tokenizer.decode(encoded.ids) == sentence
        assert encoded.wordpiece_tokens == 0, sentence
        assert TEMPLATE_BASE <= encoded.ids[0] < tokenizer.wordpiece_base, sentence
        assert len(encoded.ids) == 1 + numeric_fields(template), sentence


def test_a_numeric_slot_is_one_phrase_token_and_one_value_token(tokenizer):
    phrase = TEMPLATE_BASE + tokenizer.vocabulary.templates.index(("LVEF is ", "%."))
    assert tokenizer.encode("LVEF is 57%.").ids == [phrase, VALUE_BASE + 57]
    assert tokenizer.encode("LVEF is 8%.").ids == [phrase, VALUE_BASE + 8]
    decimal = tokenizer.encode("LVEF is 57.5%.").ids
    assert decimal == [phrase, VALUE_BASE + 57, FRACTION_BASE + FRACTIONS.index(".5")]
    assert tokenizer.decode(decimal) == "LVEF is 57.5%."


def test_a_whole_report_round_trips_sentence_by_sentence(tokenizer):
    report = " ".join(written(t, HELD_OUT) for t in phantom_templates()[::7])
    assert tokenizer.decode(tokenizer.encode(report).ids) == report


def test_text_outside_the_templates_is_the_word_pieces_of_bert_minilm(tokenizer, wordpieces):
    sentence = "Trivial mitral regurgitation without stenosis."
    reference = wordpieces.tokenizer(sentence, add_special_tokens=False)["input_ids"]
    encoded = tokenizer.encode(sentence)
    assert encoded.ids == [tokenizer.wordpiece_base + i for i in reference]
    assert encoded.wordpiece_tokens == len(reference)
    assert tokenizer.decode(encoded.ids) == sentence.lower()


def test_numbers_outside_the_templates_are_still_value_tokens(tokenizer, wordpieces):
    ids = tokenizer.encode("LV EJECTION FRACTION IS 35%.").ids
    assert VALUE_BASE + 35 in ids
    assert tokenizer.decode(ids) == "lv ejection fraction is 35 %."
    # a number tokens cannot spell keeps the template out: word pieces give it back
    leading_zero = tokenizer.encode("LVEF is 057%.")
    assert leading_zero.wordpiece_tokens > 0 and "057" in tokenizer.decode(leading_zero.ids)


def test_word_pieces_other_than_the_vocabularys_are_refused(tokenizer, wordpieces):
    other = WordPieces(wordpieces.tokenizer, "f" * 64, wordpieces.size)
    with pytest.raises(WordPieceError, match="built beside word pieces"):
        TemplateTokenizer(tokenizer.vocabulary, other)


def test_phantom_reports_take_at_most_a_fifth_of_the_word_pieces(phantom_reports, wordpieces,
                                                                 tmp_path):
    """The issue's bar (EchoCLIP-R: ~50 template tokens where word pieces gave >700),
    on reports the vocabulary never saw."""
    corpus, held_out = phantom_reports[:160], phantom_reports[160:]
    vocabulary = mine_vocabulary(corpus, wordpieces.identity()).write(tmp_path / "v.json")
    tokenizer = TemplateTokenizer(vocabulary, wordpieces)
    template = [len(tokenizer.encode(report).ids) for report in held_out]
    pieces = [len(wordpieces.encode(report)) for report in held_out]
    assert statistics.mean(template) <= statistics.mean(pieces) / 5
    assert statistics.median(template) <= statistics.median(pieces) / 5
