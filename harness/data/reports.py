"""Report text for contrastive pretraining: sentences, and k of them sampled per step."""

from __future__ import annotations

import re

import numpy as np

# A sentence ends at . ! or ? followed by whitespace (so "57.5 %" stays whole), or at a line
# break (reports are often one finding per line, without a full stop).
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")


def split_sentences(text: str) -> list[str]:
    """The non-empty sentences of ``text``, in order, stripped of surrounding whitespace."""
    return [part.strip() for part in _BOUNDARY.split(text) if part.strip()]


def sample_sentences(text: str, k: int, rng: np.random.Generator) -> str:
    """``k`` distinct sentences of ``text`` drawn with ``rng``, joined by spaces in report order.

    The reference pairs each scan with 5 random report sentences per step, so every epoch sees
    a different view of the same report. A report with at most ``k`` sentences is returned
    whole (normalised); report order keeps the joined text readable.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1 sentence, got {k}")
    sentences = split_sentences(text)
    if len(sentences) <= k:
        return " ".join(sentences)
    chosen = np.sort(rng.choice(len(sentences), size=k, replace=False))
    return " ".join(sentences[i] for i in chosen)
