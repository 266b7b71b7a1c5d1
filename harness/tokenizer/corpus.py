"""Which reports a vocabulary is built from (a store's training role, nothing else), and how
much it compresses them.

Only the study files of the card's training role are opened: no validation or test report can
shape the vocabulary a benchmark's text encoder reads.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmrbench.cards import DatasetCard
from cmrbench.files import sha256_file
from cmrbench.store import StudyStore
from cmrbench.store.index import INDEX_FILE
from cmrbench.tokenizer.tokenizer import TemplateTokenizer

TRAINING_ROLE = "train"


class CorpusError(ValueError):
    """A store with no training report to build a vocabulary from."""


@dataclass(frozen=True)
class Corpus:
    """The training reports of a store, and what a vocabulary says it was built from."""

    reports: list[str]
    built_from: dict[str, Any]


def training_reports(store: Path | str, card: DatasetCard) -> Corpus:
    """The reports of the studies that play the card's training role in ``store``."""
    studies = StudyStore(store)
    index = studies.index
    chosen = [study for study, split, patient, has_report in zip(
        index["study_id"], index["split"], index["patient_id"], index["has_report"], strict=True)
        if has_report and card.roles.role(split, patient) == TRAINING_ROLE]
    if not chosen:
        raise CorpusError(f"no study of {store} with a report plays the training role: the card "
                          f"{card.path} maps it to split {card.roles.train!r}; the store's splits "
                          f"are {sorted(set(index['split']))}. Pass --card with roles.train "
                          "naming a split that holds reports")
    reports = [studies.report(study) or "" for study in chosen]
    return Corpus(reports, {"dataset": card.name, "role": TRAINING_ROLE,
                            "split": card.roles.train, "split_sha256": card.split.sha256,
                            "store_index_sha256": sha256_file(Path(store) / INDEX_FILE),
                            "reports": len(reports)})


@dataclass(frozen=True)
class Compression:
    """Tokens per report with the template tokenizer and with word pieces alone."""

    template: list[int]
    wordpiece: list[int]

    def rows(self) -> dict[str, tuple[float, float, int]]:
        return {name: (statistics.mean(counts), statistics.median(counts), max(counts))
                for name, counts in (("template tokens", self.template),
                                     ("word pieces", self.wordpiece))}

    @property
    def ratio(self) -> float:
        """Mean template tokens over mean word pieces per report."""
        return statistics.mean(self.template) / statistics.mean(self.wordpiece)

    def render(self) -> str:
        lines = [f"{'tokens per report':<20}{'mean':>8}{'median':>8}{'max':>6}"]
        for name, (mean, median, most) in self.rows().items():
            lines.append(f"{name:<20}{mean:>8.1f}{median:>8.1f}{most:>6d}")
        lines.append(f"template / word pieces: {self.ratio:.3f} (means, "
                     f"{len(self.template)} reports)")
        return "\n".join(lines)


def compression(tokenizer: TemplateTokenizer, reports: list[str]) -> Compression:
    """How many tokens each report takes, template tokenizer vs its word pieces alone."""
    if not reports:
        raise CorpusError("no report to measure compression on")
    return Compression([len(tokenizer.encode(r).ids) for r in reports],
                       [len(tokenizer.wordpieces.encode(r)) for r in reports])
