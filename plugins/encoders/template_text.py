"""The template text encoder (EchoCLIP-R style): reports read as phrase and value tokens.

``template-text`` reads text with a template vocabulary built from a store's training reports
(``cmrbench tokenizer build STORE --out VOCAB.json``), falling back to the bundled MiniLM's
word pieces for text outside it, and encodes the tokens with a small transformer, a 512-d
projection and an L2 norm. The vocabulary is an option, ``vocabulary=VOCAB.json`` (e.g.
``cmrbench pretrain --text-encoder template-text --text-option vocabulary=VOCAB.json``); there
is no default, so a result never names a vocabulary nobody chose. Its sha256 goes into the
provenance of everything the encoder makes and into its weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cmrbench import EncoderSpec, TextInput, hookimpl

if TYPE_CHECKING:
    from cmrbench.plugins.encoders._template import TemplateTextEncoder

# A whole report per text: phantom reports take 10-45 tokens (word pieces: 60-130).
TEXT_INPUT = TextInput(max_tokens=64, sentences=32)
WEIGHTS = ("lightning", "cmrbench", "safetensors", "state-dict")


def build_template_text(vocabulary: str | Path | None = None,
                        wordpieces: str | Path | None = None, width: int = 128,
                        layers: int = 2, heads: int = 4,
                        max_tokens: int = TEXT_INPUT.max_tokens) -> TemplateTextEncoder:
    """A template text encoder reading the vocabulary file ``vocabulary`` (required) and the
    word pieces in the model directory ``wordpieces`` (default: the bundled MiniLM's)."""
    if vocabulary is None:
        raise ValueError("the 'template-text' encoder needs vocabulary: the file written by "
                         "`cmrbench tokenizer build STORE --out VOCAB.json` (pass "
                         "vocabulary=VOCAB.json, e.g. --text-option vocabulary=VOCAB.json)")
    from cmrbench.plugins.encoders._template import TemplateTextEncoder
    from cmrbench.tokenizer import TemplateTokenizer, WordPieces, read_vocabulary

    tokenizer = TemplateTokenizer(read_vocabulary(vocabulary),
                                  WordPieces.from_directory(wordpieces))
    return TemplateTextEncoder(tokenizer, width=width, layers=layers, heads=heads,
                               max_tokens=max_tokens)


@hookimpl
def cmrbench_encoders() -> list[EncoderSpec]:
    return [EncoderSpec(name="template-text",
                        description="report-template tokens (cmrbench tokenizer build) through "
                                    "a small transformer; pass vocabulary=VOCAB.json",
                        factory=build_template_text, input=TEXT_INPUT, modality="text",
                        weights=WEIGHTS, tags=("tiny",))]
