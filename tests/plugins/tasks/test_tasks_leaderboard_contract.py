"""What a leaderboard reads from each built-in task beyond its metrics: which prediction
columns are probabilities, the binary outcomes and scores behind its AUROCs (for ROC curves
and paired DeLong tests) and the continuous targets behind its errors (for Bland-Altman).

Each is checked against the task's own metrics: the AUROC of a declared score is the task's
AUROC for that outcome, computed independently by scikit-learn; the MAE of a declared
estimate is the task's MAE, computed by scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from cmrbench.cards import card_path, load_card
from cmrbench.predictions import build_table
from cmrbench.registry import get_registry
from cmrbench.task import target_matrix
from sklearn.metrics import mean_absolute_error, roc_auc_score

PHANTOM = load_card(card_path("phantom"))
FINDINGS = [n for n, kind in PHANTOM.labels.items() if kind == "binary"]
GROUPS = ("NOR", "MINF", "DCM", "HCM", "RV")
# task -> ({score name: its AUROC metric}, {estimate name: its MAE metric}, probabilities)
EXPECTED = {
    "lvef": ({"heart_failure": "hf_auroc"}, {"lvef": "mae"}, ()),
    "diseases": ({f: f"auroc:{f}" for f in FINDINGS}, {}, tuple(FINDINGS)),
    "acdc-diagnosis": ({g: f"auroc:{g}" for g in GROUPS}, {}, GROUPS),
    "kaggle-volumes": ({}, {"systole_ml": "systole_mae", "diastole_ml": "diastole_mae"}, ()),
}


def _labels(n: int = 60) -> list[dict]:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        row = {"lvef": float(rng.uniform(15, 75)), "esv_ml": float(rng.uniform(20, 200)),
               "group": GROUPS[i % 5], **{f: int(rng.random() < 0.4) for f in FINDINGS}}
        row["edv_ml"] = row["esv_ml"] + float(rng.uniform(30, 120))
        rows.append(row)
    return rows


def _scored(name: str) -> tuple[object, pd.DataFrame]:
    """The task, and a predictions table of its own head's outputs (scaled up, so that
    probabilities reach towards 0 and 1)."""
    task = get_registry().task(name).build(PHANTOM)
    targets, _ = target_matrix(task, _labels())
    task.fit(targets)
    torch.manual_seed(0)
    outputs = task.head(8)(torch.randn(len(targets), len(task.attention), 8) * 20)
    n = len(targets)
    ids = {"study_id": [f"s{i}" for i in range(n)], "patient_id": [f"p{i}" for i in range(n)],
           "split": ["test"] * n}
    table = build_table(ids, dict(zip(task.target_names, targets.T.astype(float), strict=True)),
                        task.predictions(outputs.detach().numpy()))
    return task, table


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_probability_columns_scores_and_estimates_match_the_metrics(name):
    task, table = _scored(name)
    scores, estimates, probabilities = EXPECTED[name]
    assert task.probability_columns() == probabilities
    for column in probabilities:
        values = table[f"pred:{column}"]
        assert values.between(0, 1).all() and values.max() - values.min() > 0.5
    metrics = task.metrics(table)
    assert set(task.scores(table)) == set(scores)
    for outcome, (truth, score) in task.scores(table).items():
        assert roc_auc_score(truth, score) == pytest.approx(metrics[scores[outcome]].value)
    assert set(task.estimates(table)) == set(estimates)
    for quantity, (truth, pred) in task.estimates(table).items():
        assert mean_absolute_error(truth, pred) == pytest.approx(
            metrics[estimates[quantity]].value)

