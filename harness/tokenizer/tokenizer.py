"""Reports as template tokens: one phrase token per template sentence, one value token per
number in it, word pieces for everything else.

Token ids, in this order::

    0                  [PAD]
    1                  [BOS]   (starts every sequence, so none is empty)
    2 ...              value tokens: the integers 0..999
    ...                fraction tokens: .0 .. .9, then .00 .. .99
    ...                phrase tokens: the vocabulary's templates, in its order
    ...                word pieces: the word-piece vocabulary's ids, shifted

A sentence whose template is in the vocabulary (and whose numbers fit value tokens) becomes
its phrase token followed by its values, and decodes to exactly the same text. Any other
sentence becomes word pieces, except that its numbers are value tokens too, so a number
means the same to the encoder wherever it is written; it decodes to the word-piece
tokenizer's normalised text (lower case, re-spaced). Sentences are those of
:func:`cmrbench.data.split_sentences`, and a report decodes with single spaces between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmrbench.data.reports import split_sentences
from cmrbench.tokenizer.slots import (
    FRACTIONS,
    INTEGERS,
    NUMBER,
    SlotValue,
    fill,
    fraction_value,
    parse_value,
    split_template,
)
from cmrbench.tokenizer.vocabulary import Vocabulary
from cmrbench.tokenizer.wordpiece import WordPieceError, WordPieces

PAD, BOS = 0, 1
VALUE_BASE = 2
FRACTION_BASE = VALUE_BASE + INTEGERS
TEMPLATE_BASE = FRACTION_BASE + len(FRACTIONS)


@dataclass(frozen=True)
class Encoded:
    """A text's token ids, and how many of them are word pieces (the rest are phrase and
    value tokens)."""

    ids: list[int]
    wordpiece_tokens: int


class TemplateTokenizer:
    """Encodes and decodes text with a :class:`Vocabulary` and its word pieces."""

    def __init__(self, vocabulary: Vocabulary, wordpieces: WordPieces) -> None:
        expected = vocabulary.wordpiece.get("vocab_sha256")
        if expected != wordpieces.sha256:
            raise WordPieceError(
                f"the vocabulary (sha256 {vocabulary.sha256}) was built beside word pieces with "
                f"vocab.txt sha256 {expected}, but the word pieces given have {wordpieces.sha256}"
                "; pass the word-piece directory it was built with, or rebuild the vocabulary")
        self.vocabulary, self.wordpieces = vocabulary, wordpieces
        self._template_ids = {t: TEMPLATE_BASE + i for i, t in enumerate(vocabulary.templates)}
        self.wordpiece_base = TEMPLATE_BASE + len(vocabulary.templates)
        self.size = self.wordpiece_base + wordpieces.size

    def encode(self, text: str) -> Encoded:
        """The tokens of ``text`` (without [BOS]), sentence by sentence."""
        ids = []
        for sentence in split_sentences(text):
            tokens = self._template_sentence(sentence)
            ids += tokens if tokens is not None else self._fallback_sentence(sentence)
        return Encoded(ids, sum(t >= self.wordpiece_base for t in ids))

    def _template_sentence(self, sentence: str) -> list[int] | None:
        template, numbers = split_template(sentence)
        phrase = self._template_ids.get(template)
        values = [parse_value(n) for n in numbers]
        if phrase is None or any(v is None for v in values):
            return None
        return [phrase, *(t for v in values for t in value_ids(v))]

    def _fallback_sentence(self, sentence: str) -> list[int]:
        ids, start = [], 0
        for match in NUMBER.finditer(sentence):
            value = parse_value(match.group())
            if value is None:
                continue
            ids += self._wordpiece_ids(sentence[start:match.start()]) + value_ids(value)
            start = match.end()
        return ids + self._wordpiece_ids(sentence[start:])

    def _wordpiece_ids(self, text: str) -> list[int]:
        return [self.wordpiece_base + i for i in self.wordpieces.encode(text)] if text.strip() \
            else []

    def decode(self, ids: list[int]) -> str:
        """The text of ``ids``: template sentences exactly, word pieces normalised."""
        sentences, position = [], 0
        ids = [i for i in ids if i not in (PAD, BOS)]
        while position < len(ids):
            text, position = self._decode_one(ids, position)
            sentences.append(text)
        return " ".join(sentences)

    def _decode_one(self, ids: list[int], position: int) -> tuple[str, int]:
        token = ids[position]
        if TEMPLATE_BASE <= token < self.wordpiece_base:
            template = self.vocabulary.templates[token - TEMPLATE_BASE]
            values, position = [], position + 1
            for _ in range(len(template) - 1):
                value, position = read_value(ids, position)
                values.append(value)
            return fill(template, values), position
        parts = []
        while position < len(ids) and not TEMPLATE_BASE <= ids[position] < self.wordpiece_base:
            if ids[position] >= self.wordpiece_base:
                end = position
                while end < len(ids) and ids[end] >= self.wordpiece_base:
                    end += 1
                parts.append(self.wordpieces.decode([i - self.wordpiece_base
                                                     for i in ids[position:end]]))
                position = end
            else:
                value, position = read_value(ids, position)
                parts.append(value.text)
        return " ".join(parts), position

    def numeric_values(self) -> list[float]:
        """The number each token id stands for (0 for tokens that are not values)."""
        numbers = [0.0] * self.size
        for integer in range(INTEGERS):
            numbers[VALUE_BASE + integer] = float(integer)
        for index in range(len(FRACTIONS)):
            numbers[FRACTION_BASE + index] = fraction_value(index)
        return numbers


def value_ids(value: SlotValue) -> list[int]:
    """A number's tokens: its integer, then its fraction when it has one."""
    ids = [VALUE_BASE + value.integer]
    return ids if value.fraction is None else [*ids, FRACTION_BASE + value.fraction]


def read_value(ids: list[int], position: int) -> tuple[SlotValue, int]:
    """The number starting at ``position``, and the position after it."""
    if position >= len(ids) or not VALUE_BASE <= ids[position] < FRACTION_BASE:
        found = ids[position] if position < len(ids) else "the end"
        raise ValueError(f"token {position} should be a value token, got {found}: these ids "
                         "were not made by this tokenizer")
    integer, position = ids[position] - VALUE_BASE, position + 1
    if position < len(ids) and FRACTION_BASE <= ids[position] < TEMPLATE_BASE:
        return SlotValue(integer, ids[position] - FRACTION_BASE), position + 1
    return SlotValue(integer), position
