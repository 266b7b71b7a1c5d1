"""Cross-modal retrieval between the test studies and their own reports (SPEC §6, EchoCLIP's
protocol), in the zeroshot mode: nothing trains.

A study is embedded as the L2-normalised mean of its videos' embeddings; its report (the
store's) as the L2-normalised mean of the text encoder's embeddings of consecutive windows of
``sentences`` sentences (the text encoder's ``TextInput.sentences``: what pretraining paired
with each video), so the whole report counts and no window exceeds what the encoder was
trained to read. Similarity is the cosine.

Both directions are scored over the test set: study→report (each study ranks every report)
and report→study. Per direction: recall@1, @5 and @10, and the median and mean rank of the
true match (ties count against it), each with a bootstrap interval over patients (queries
resampled, the candidates fixed). ``details["chance"]`` gives what a model that ranks at
random scores: recall@k = k/N and an expected rank of (N + 1)/2 for N candidates.

The predictions file carries every study's embedding (``pred:study_emb_000`` ...) and its
report's (``pred:report_emb_000`` ...), so a leaderboard recomputes every rank from the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from cmrbench import TaskSpec, hookimpl
from cmrbench.cards import DatasetCard
from cmrbench.data import split_sentences
from cmrbench.predictions import PRED
from cmrbench.scoring import bootstrapped
from cmrbench.stats import retrieval_ranks
from cmrbench.task import Metric, Task, TaskError, TrainingDefaults, ZeroShotInputs

NAME = "retrieval"
KS = (1, 5, 10)
DIRECTIONS = ("study_to_report", "report_to_study")
STUDY, REPORT = "study_emb_", "report_emb_"
METRICS = tuple(f"{d}_{m}" for d in DIRECTIONS
                for m in (*(f"recall_at_{k}" for k in KS), "median_rank", "mean_rank"))


def normalised(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def study_embeddings(inputs: ZeroShotInputs) -> np.ndarray:
    """Each study's normalised mean video embedding, [studies, D]."""
    return normalised(np.stack([normalised(v).mean(axis=0) for v in inputs.videos]))


def report_windows(report: str, sentences: int) -> list[str]:
    """The report's sentences in consecutive windows of ``sentences``, each joined by spaces."""
    parts = split_sentences(report)
    return [" ".join(parts[i:i + sentences]) for i in range(0, len(parts), sentences)]


def report_embeddings(inputs: ZeroShotInputs) -> np.ndarray:
    """Each study's report as the normalised mean of its windows' embeddings, [studies, D]."""
    windows = []
    for study, report in zip(inputs.study_ids, inputs.reports, strict=True):
        found = report_windows(report or "", max(1, inputs.sentences))
        if not found:
            raise TaskError(f"study {study} has no report text to retrieve; the retrieval "
                            "task needs every test study's report")
        windows.append(found)
    vectors = inputs.embed_text([text for found in windows for text in found])
    ends = np.cumsum([len(found) for found in windows])
    return normalised(np.stack([normalised(vectors[end - len(found):end]).mean(axis=0)
                                for found, end in zip(windows, ends, strict=True)]))


def embeddings(table: pd.DataFrame, prefix: str) -> np.ndarray:
    """The embedding columns ``pred:<prefix>NNN`` of a predictions table, [rows, D]."""
    columns = sorted(c for c in table.columns if c.startswith(PRED + prefix))
    if not columns:
        raise KeyError(f"{PRED}{prefix}000")
    return table[columns].to_numpy(np.float64)


def ranks(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per direction, each query's rank of its true match (1 is best)."""
    similarity = embeddings(table, STUDY) @ embeddings(table, REPORT).T
    return {"study_to_report": retrieval_ranks(similarity),
            "report_to_study": retrieval_ranks(similarity.T)}


def chance(n: int) -> dict[str, float]:
    """Every metric of a model that ranks the ``n`` candidates at random."""
    level: dict[str, float] = {}
    for direction in DIRECTIONS:
        level.update({f"{direction}_recall_at_{k}": min(k, n) / n for k in KS})
        level.update({f"{direction}_median_rank": (n + 1) / 2,
                      f"{direction}_mean_rank": (n + 1) / 2})
    return level


def _recall(k: int):
    def recall(rank: np.ndarray) -> float:
        return float(np.mean(rank <= k))
    return recall


@dataclass
class RetrievalTask(Task):
    def targets(self, labels: Mapping[str, Any]) -> list[float]:
        return []  # the target is the study's own report

    def zero_shot(self, inputs: ZeroShotInputs) -> np.ndarray:
        return np.concatenate([study_embeddings(inputs), report_embeddings(inputs)], axis=1)

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        width = outputs.shape[1] // 2
        columns = {f"{STUDY}{i:03d}": outputs[:, i] for i in range(width)}
        columns.update({f"{REPORT}{i:03d}": outputs[:, width + i] for i in range(width)})
        return columns

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        patients = table["patient_id"]
        out: dict[str, Metric] = {}
        for direction, rank in ranks(table).items():
            for k in KS:
                out[f"{direction}_recall_at_{k}"] = bootstrapped(_recall(k), rank,
                                                                 patients=patients)
            out[f"{direction}_median_rank"] = bootstrapped(np.median, rank, patients=patients)
            out[f"{direction}_mean_rank"] = bootstrapped(np.mean, rank, patients=patients)
        return out

    def details(self, table: pd.DataFrame) -> dict[str, Any]:
        return {"candidates": len(table), "chance": chance(len(table))}


def build(card: DatasetCard, **options: Any) -> RetrievalTask:
    if options:
        raise TypeError(f"the retrieval task takes no options, got {sorted(options)}")
    return RetrievalTask(name=NAME, target_names=(), attention=(), needs_report=True,
                         defaults=TrainingDefaults(batch_size=32))


@hookimpl
def cmrbench_tasks() -> list[TaskSpec]:
    return [TaskSpec(name=NAME, description="study-to-report and report-to-study retrieval "
                                            "(recall@1/5/10, median and mean rank) against "
                                            "the studies' own reports",
                     kind="retrieval", build=build,
                     datasets=("phantom", "clinical", "clinical-h5"), protocols=("zeroshot",),
                     metrics=METRICS, primary_metric="study_to_report_recall_at_5",
                     higher_is_better=True)]
