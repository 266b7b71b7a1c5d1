"""The template vocabulary: recurring report sentences with numeric slots, mined from a corpus
and kept as a versioned JSON file.

A sentence's template is its wording with every number taken out (``cmrbench.tokenizer.slots``).
Every template written in at least ``min_reports`` distinct reports of the corpus becomes one
phrase token; the rest of the text stays word pieces. Templates are ordered by how many reports
use them, then by text, and the file is written with sorted keys and no timestamp or path, so
one corpus always gives the same bytes and the same sha256, which provenance names.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmrbench.data.reports import split_sentences
from cmrbench.files import atomic_write, sha256_file
from cmrbench.tokenizer.slots import Template, parse_value, split_template

FORMAT = "cmrbench-template-vocabulary"
FORMAT_VERSION = 1
DEFAULT_MIN_REPORTS = 2


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Vocabulary:
    """Templates (phrase tokens, in id order), how many reports used each, the word pieces they
    were mined beside, what they were built from, and the sha256 of the file they came from
    (None until written or read)."""

    templates: tuple[Template, ...]
    reports: tuple[int, ...]
    wordpiece: Mapping[str, Any]
    built_from: Mapping[str, Any] = field(default_factory=dict)
    sha256: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION,
                "wordpiece": dict(self.wordpiece), "built_from": dict(self.built_from),
                "templates": [{"pieces": list(t), "reports": n}
                              for t, n in zip(self.templates, self.reports, strict=True)]}

    def write(self, path: Path | str) -> Vocabulary:
        """Write the file atomically; returns the vocabulary carrying the file's sha256."""
        text = json.dumps(self.as_json(), indent=1, sort_keys=True, ensure_ascii=True) + "\n"
        with atomic_write(path) as partial:
            partial.write_text(text, encoding="ascii")
        return read_vocabulary(path)


def template_counts(reports: Iterable[str]) -> Counter[Template]:
    """How many distinct reports write each template whose numbers all fit value tokens."""
    counts: Counter[Template] = Counter()
    for report in reports:
        seen = set()
        for sentence in split_sentences(report):
            template, numbers = split_template(sentence)
            if all(parse_value(number) is not None for number in numbers):
                seen.add(template)
        counts.update(seen)
    return counts


def mine_vocabulary(reports: Iterable[str], wordpiece: Mapping[str, Any], *,
                    min_reports: int = DEFAULT_MIN_REPORTS,
                    built_from: Mapping[str, Any] | None = None) -> Vocabulary:
    """The templates written in at least ``min_reports`` of ``reports``, most used first."""
    if min_reports < 1:
        raise ValueError(f"min_reports={min_reports}: a template must occur in at least one "
                         "report; pass 1 or more")
    counts = template_counts(reports)
    kept = sorted(((t, n) for t, n in counts.items() if n >= min_reports),
                  key=lambda item: (-item[1], item[0]))
    return Vocabulary(templates=tuple(t for t, _ in kept), reports=tuple(n for _, n in kept),
                      wordpiece=dict(wordpiece),
                      built_from={**(built_from or {}), "min_reports": min_reports})


def read_vocabulary(path: Path | str) -> Vocabulary:
    """A vocabulary file, checked field by field, with the sha256 of its bytes."""
    path = Path(path)
    if not path.is_file():
        raise VocabularyError(f"vocabulary file {path} does not exist; build one with "
                              "`cmrbench tokenizer build STORE --out VOCAB.json`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VocabularyError(f"{path} is not a JSON vocabulary file ({exc})") from None
    _check_header(path, data)
    templates, reports = [], []
    for number, entry in enumerate(data["templates"]):
        pieces = entry.get("pieces") if isinstance(entry, dict) else None
        if not (isinstance(pieces, list) and pieces and all(isinstance(p, str) for p in pieces)):
            raise VocabularyError(f"{path}: templates[{number}].pieces must be a non-empty list "
                                  f"of strings, got {pieces!r}")
        templates.append(tuple(pieces))
        reports.append(int(entry.get("reports", 0)))
    if len(set(templates)) != len(templates):
        raise VocabularyError(f"{path}: templates: a template is listed twice; rebuild the file")
    return Vocabulary(tuple(templates), tuple(reports), data["wordpiece"],
                      data.get("built_from") or {}, sha256_file(path))


def _check_header(path: Path, data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise VocabularyError(f"{path}: format is not {FORMAT!r}; is it a vocabulary written by "
                              "`cmrbench tokenizer build`?")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise VocabularyError(f"{path}: format_version {version!r} is not {FORMAT_VERSION}, the "
                              f"version this cmrbench reads; rebuild it with `cmrbench "
                              "tokenizer build`")
    wordpiece = data.get("wordpiece")
    if not isinstance(wordpiece, dict) or not isinstance(wordpiece.get("vocab_sha256"), str):
        raise VocabularyError(f"{path}: wordpiece.vocab_sha256 is missing: the file must name "
                              "the word-piece vocabulary it was built beside")
    if not isinstance(data.get("templates"), list):
        raise VocabularyError(f"{path}: templates must be a list")
