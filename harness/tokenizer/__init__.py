"""Report-template tokenizing (EchoCLIP-R style): whole reports as a few dozen tokens.

Reports are written from templates, so a vocabulary of their recurring sentences, each with
numeric slots ("LVEF is N%." -> a phrase token and a value token), reads a whole report in a
few dozen tokens where word pieces need hundreds. :func:`mine_vocabulary` builds the
vocabulary from report texts (``cmrbench tokenizer build`` from a store's training split),
:class:`Vocabulary` is its versioned JSON file, and :class:`TemplateTokenizer` encodes and
decodes with it, falling back to word pieces for text outside the templates.
"""

from cmrbench.tokenizer.slots import split_template
from cmrbench.tokenizer.tokenizer import Encoded, TemplateTokenizer
from cmrbench.tokenizer.vocabulary import (
    FORMAT_VERSION,
    Vocabulary,
    VocabularyError,
    mine_vocabulary,
    read_vocabulary,
)
from cmrbench.tokenizer.wordpiece import WordPieceError, WordPieces

__all__ = ["FORMAT_VERSION", "Encoded", "TemplateTokenizer", "Vocabulary", "VocabularyError",
           "WordPieceError", "WordPieces", "mine_vocabulary", "read_vocabulary",
           "split_template"]
