"""The built-in tasks pass the task conformance check, and their metrics equal independent
references: scikit-learn for MAE, MSE, AUROC and accuracy, SciPy for Pearson r, and the Kaggle
DSB 2015 evaluation formula written out directly (C = 1/(600·2N) Σ_m Σ_n (P_m(V≤n) − H(n−V_m))²,
with the Normal CDF from scipy.stats) for CRPS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.registry import get_registry
from cmrbench.testing import ConformanceError, check_task
from scipy.stats import norm, pearsonr
from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error, roc_auc_score

RNG = np.random.default_rng(0)
PHANTOM = load_card(card_path("phantom"))
FINDINGS = [n for n, kind in PHANTOM.labels.items() if kind == "binary"]
GROUPS = ["NOR", "MINF", "DCM", "HCM", "RV"]


def labels(n: int = 40) -> list[dict]:
    rows = []
    for i in range(n):
        row = {"lvef": float(RNG.uniform(15, 75)), "esv_ml": float(RNG.uniform(20, 200)),
               "group": GROUPS[i % 5]}
        row["edv_ml"] = row["esv_ml"] + float(RNG.uniform(30, 120))
        row.update({f: int(RNG.random() < 0.4) for f in FINDINGS})
        rows.append(row)
    rows[0] = {"group": "NOR"}  # lacks every number: no targets for lvef or volumes
    return rows


def spec(name: str):
    return get_registry().task(name)


def test_lvef_metrics_equal_the_references():
    def reference(t: pd.DataFrame) -> dict[str, float]:
        truth, pred = t["truth:lvef"], t["pred:lvef"]
        return {"mae": mean_absolute_error(truth, pred), "mse": mean_squared_error(truth, pred),
                "rmse": mean_squared_error(truth, pred) ** 0.5,
                "pearson_r": pearsonr(truth, pred).statistic,
                "bias": float(np.mean(pred - truth)),
                "hf_auroc": roc_auc_score(truth < 40, -pred)}
    task = check_task(spec("lvef"), PHANTOM, labels(), reference=reference)
    assert task.targets({"group": "NOR"}) is None


def test_diseases_metrics_equal_the_references_per_label():
    def reference(t: pd.DataFrame) -> dict[str, float]:
        per = {f"auroc:{f}": roc_auc_score(t[f"truth:{f}"], t[f"pred:{f}"]) for f in FINDINGS}
        return {**per, "macro_auroc": float(np.mean(list(per.values())))}
    task = check_task(spec("diseases"), PHANTOM, labels(), reference=reference)
    assert task.attention == tuple(FINDINGS) and task.layernorm


def test_diseases_positive_weights_come_from_training_prevalence():
    task = spec("diseases").build(PHANTOM, labels="lv_dilation,pure_normal")
    stats = task.fit(np.array([[1, 0], [0, 0], [0, 1], [0, 0]], dtype=np.float32))
    assert stats["pos_weight"] == {"lv_dilation": 3.0, "pure_normal": 3.0}


def test_diseases_refuses_a_label_the_card_does_not_declare():
    with pytest.raises(ValueError, match="not binary labels of the phantom card"):
        spec("diseases").build(PHANTOM, labels="amyloid")


def test_acdc_diagnosis_metrics_equal_the_references():
    def reference(t: pd.DataFrame) -> dict[str, float]:
        probability = t[[f"pred:{g}" for g in GROUPS]].to_numpy()
        truth = t["truth:group_index"].astype(int)
        per = {f"auroc:{g}": roc_auc_score(truth == i, probability[:, i])
               for i, g in enumerate(GROUPS)}
        return {"accuracy": accuracy_score(truth, probability.argmax(1)), **per,
                "macro_auroc": float(np.mean(list(per.values())))}
    check_task(spec("acdc-diagnosis"), PHANTOM, labels(), reference=reference)


def _competition_crps(t: pd.DataFrame) -> float:
    bins = np.arange(600)
    total = 0.0
    for phase in ("systole", "diastole"):
        for mean, sd, volume in zip(t[f"pred:{phase}_ml"], t[f"pred:{phase}_sd"],
                                    t[f"truth:{phase}"], strict=True):
            cdf = norm.cdf(bins, loc=mean, scale=sd)
            total += float(((cdf - (bins >= volume)) ** 2).sum())
    return total / (600 * 2 * len(t))


def test_kaggle_crps_is_the_competition_formula():
    def reference(t: pd.DataFrame) -> dict[str, float]:
        return {"crps": _competition_crps(t),
                "systole_mae": mean_absolute_error(t["truth:systole"], t["pred:systole_ml"])}
    task = check_task(spec("kaggle-volumes"), PHANTOM, labels(), reference=reference)
    assert task.targets({"systole_ml": 50, "diastole_ml": 120}) == [50.0, 120.0]


def test_kaggle_training_loss_is_the_closed_form_crps_of_a_normal():
    """CRPS(F, y) = ∫ (F(x) − H(x − y))² dx, integrated numerically on both sides of y."""
    import torch
    from cmrbench.plugins.tasks.kaggle_volumes import gaussian_crps
    from scipy.integrate import quad
    for mean, sd, value in [(100.0, 15.0, 120.0), (60.0, 4.0, 58.0)]:
        cdf = norm(mean, sd).cdf
        below = quad(lambda x, cdf=cdf: cdf(x) ** 2, -np.inf, value)[0]
        above = quad(lambda x, cdf=cdf: (1 - cdf(x)) ** 2, value, np.inf)[0]
        closed = float(gaussian_crps(*(torch.tensor(x, dtype=torch.float64)
                                       for x in (mean, sd, value))))
        assert closed == pytest.approx(below + above, rel=1e-7)


def test_check_task_catches_a_metric_that_depends_on_row_order():
    lvef = spec("lvef")

    class RowOrder(type(lvef.build(PHANTOM))):
        def metrics(self, table):
            out = super().metrics(table)
            out["mae"] = type(out["mae"])(float(table["pred:lvef"].iloc[0]))
            return out

    broken = type(lvef)(**{**lvef.__dict__, "build": lambda card: RowOrder(
        name="lvef", target_names=("lvef",))})
    with pytest.raises(ConformanceError, match=r"\['mae'\] change when the table's rows"):
        check_task(broken, PHANTOM, labels())


def test_check_task_catches_a_reference_mismatch():
    with pytest.raises(ConformanceError, match="metric 'mae' is"):
        check_task(spec("lvef"), PHANTOM, labels(),
                   reference=lambda t: {"mae": mean_squared_error(t["truth:lvef"],
                                                                  t["pred:lvef"])})


def test_check_task_catches_probabilities_outside_zero_one():
    diseases = spec("diseases")

    class Logits(type(diseases.build(PHANTOM))):
        def predictions(self, outputs):
            return {name: outputs[:, i] * 10 for i, name in enumerate(self.target_names)}

    broken = type(diseases)(**{**diseases.__dict__, "build": lambda card: Logits(
        name="diseases", target_names=("lv_dilation",), attention=("lv_dilation",))})
    with pytest.raises(ConformanceError, match="'lv_dilation' has values outside"):
        check_task(broken, PHANTOM, labels())
