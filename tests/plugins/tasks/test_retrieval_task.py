"""The retrieval task: ranks recomputed from the embeddings in the predictions file, checked
against ranks counted by hand (ties against the query, as cmrbench.stats defines them), and the
chance level of each metric: recall@k = k/N and an expected rank of (N + 1)/2 for N candidates
ranked uniformly at random."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.plugins.tasks.retrieval import report_windows
from cmrbench.predictions import build_table
from cmrbench.registry import get_registry
from cmrbench.splits import SplitRoles
from cmrbench.store import StudyStore
from cmrbench.task import ZeroShotInputs
from cmrbench.testing import check_task
from cmrbench.training.studies import role_studies

PHANTOM = load_card(card_path("phantom"))
TASK = get_registry().task("retrieval").build(PHANTOM)


def table_of(studies: np.ndarray, reports: np.ndarray) -> pd.DataFrame:
    n = len(studies)
    ids = {"study_id": [f"s{i}" for i in range(n)], "patient_id": [f"p{i}" for i in range(n)],
           "split": ["test"] * n}
    return build_table(ids, {}, TASK.predictions(np.concatenate([studies, reports], axis=1)))


def hand_ranks(similarity: np.ndarray) -> list[int]:
    return [sum(1 for k in range(len(row)) if row[k] >= row[i])
            for i, row in enumerate(similarity)]


def test_metrics_are_the_ranks_of_the_true_report_counted_by_hand():
    rng = np.random.default_rng(0)
    studies = rng.standard_normal((12, 6))
    reports = studies + rng.standard_normal((12, 6)) * 1.5   # noisy partners
    table = table_of(studies, reports)
    metrics = TASK.metrics(table)
    similarity = studies @ reports.T
    for direction, sim in (("study_to_report", similarity), ("report_to_study", similarity.T)):
        ranks = np.array(hand_ranks(sim))
        for k in (1, 5, 10):
            assert metrics[f"{direction}_recall_at_{k}"].value == pytest.approx(
                np.mean(ranks <= k))
        assert metrics[f"{direction}_median_rank"].value == pytest.approx(np.median(ranks))
        assert metrics[f"{direction}_mean_rank"].value == pytest.approx(np.mean(ranks))
        assert metrics[f"{direction}_mean_rank"].method == "bootstrap-by-patient"


def test_chance_levels_are_k_over_n_and_the_middle_rank():
    table = table_of(np.eye(8), np.eye(8))
    chance = TASK.details(table)["chance"]
    assert chance["study_to_report_recall_at_5"] == pytest.approx(5 / 8)
    assert chance["report_to_study_recall_at_10"] == 1.0   # 10 of 8: every candidate
    assert chance["study_to_report_median_rank"] == chance["report_to_study_mean_rank"] == 4.5
    perfect = TASK.metrics(table)
    assert perfect["study_to_report_recall_at_1"].value == 1.0
    assert perfect["report_to_study_median_rank"].value == 1.0


def test_a_model_that_embeds_every_report_alike_ranks_last():
    table = table_of(np.eye(5), np.ones((5, 5)))
    assert TASK.metrics(table)["study_to_report_mean_rank"].value == 5.0


def test_reports_are_read_in_windows_of_the_text_encoder_s_sentences():
    assert report_windows("LVEF 55 %. Normal RV.\nNo effusion. Dilated LA.", 3) == [
        "LVEF 55 %. Normal RV. No effusion.", "Dilated LA."]


def test_zero_shot_embeds_studies_as_their_mean_video_and_reports_by_window():
    seen = []

    def embed_text(texts):
        seen.extend(texts)
        return np.array([[1.0, 0.0] if "A" in t else [0.0, 1.0] for t in texts])
    inputs = ZeroShotInputs(study_ids=["s1"], patient_ids=["p1"],
                            videos=[np.array([[1.0, 0.0], [0.0, 1.0]])], video_names=[["a", "b"]],
                            reports=["A one. A two. B three."], embed_text=embed_text,
                            sentences=2)
    outputs = TASK.zero_shot(inputs)[0]
    assert seen == ["A one. A two.", "B three."]
    assert outputs == pytest.approx([0.5 ** 0.5] * 4)   # both means, normalised


def test_retrieval_passes_check_task_and_uses_only_studies_with_a_report(store_path):
    check_task(get_registry().task("retrieval"), PHANTOM, [{"lvef": 50.0}] * 12)
    index = StudyStore(store_path).index   # a and b train, only a with a report
    train = role_studies(index, SplitRoles(), TASK, "train")
    assert train.study_ids == ["a"] and train.without_targets == 1
