"""Which reports a vocabulary is built from (a store's training roles, nothing else), and how
much it compresses them.

The training roles are the card's ``train`` (downstream training) and ``pretrain``
(contrastive pretraining's training split: ``pretrain/train`` on the clinical cards, ``train``
on the phantom). Only their study files are opened: no validation or test report can shape the
vocabulary a benchmark's text encoder reads.
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

TRAINING_ROLE, PRETRAINING_ROLE = "train", "pretrain"


class CorpusError(ValueError):
    """A store with no training report to build a vocabulary from."""


@dataclass(frozen=True)
class Corpus:
    """The training reports of a store, and what a vocabulary says it was built from."""

    reports: list[str]
    built_from: dict[str, Any]


def training_reports(store: Path | str, card: DatasetCard) -> Corpus:
    """The reports of the studies that play a training role of the card in ``store``."""
    studies = StudyStore(store)
    index = studies.index
    chosen = [study for study, split, patient, has_report in zip(
        index["study_id"], index["split"], index["patient_id"], index["has_report"], strict=True)
        if has_report and is_training(card, split, patient)]
    if not chosen:
        raise CorpusError(f"no study of {store} with a report plays a training role: the card "
                          f"{card.path} maps train to split {card.roles.train!r} and pretrain "
                          f"to {card.roles.pretrain!r}; the store's splits are "
                          f"{sorted(set(index['split']))}. Pass --card with roles naming a "
                          "split that holds reports")
    reports = [studies.report(study) or "" for study in chosen]
    splits = sorted({card.roles.train, card.roles.pretrain})
    return Corpus(reports, {"dataset": card.name, "roles": [TRAINING_ROLE, PRETRAINING_ROLE],
                            "splits": splits, "split_sha256": card.split.sha256,
                            "store_index_sha256": sha256_file(Path(store) / INDEX_FILE),
                            "reports": len(reports)})


def is_training(card: DatasetCard, split: str, patient_id: str) -> bool:
    """Whether a study trains something: downstream (``train``) or pretraining (``pretrain``)."""
    return (card.roles.role(split, patient_id) == TRAINING_ROLE
            or card.roles.pretrain_role(split) == PRETRAINING_ROLE)


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
