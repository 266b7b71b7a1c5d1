"""Paired tests of two models on the same studies: DeLong per outcome with Holm and
Benjamini-Hochberg, and a bootstrap that resamples patients, not studies."""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench import stats
from cmrbench.leaderboard.errors import LeaderboardError
from cmrbench.leaderboard.paired import aligned, paired_bootstrap, paired_delong
from cmrbench.predictions import read_predictions
from cmrbench.registry import get_registry

LVEF = get_registry().task("lvef").build(None)
ACDC = get_registry().task("acdc-diagnosis").build(None)


def _table(predict, name, **options):
    return read_predictions(predict(name, **options)).table


def test_identical_models_differ_by_nothing(predict):
    table = _table(predict, "a.csv")
    result = paired_bootstrap(LVEF, [table], [table.copy()], ["mae", "rmse"], n_resamples=200)
    for metric in ("mae", "rmse"):
        r = result[metric]
        assert (r.difference, r.lower, r.upper, r.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_a_much_better_model_is_significant_with_the_bootstrap_floor(predict):
    good, bad = _table(predict, "g.csv", error=0.5), _table(predict, "b.csv", error=15, seed=3)
    r = paired_bootstrap(LVEF, [good], [bad], ["mae"], n_resamples=199)["mae"]
    assert r.upper < 0 and r.difference == pytest.approx(
        stats.mae(good["truth:lvef"], good["pred:lvef"])
        - stats.mae(bad["truth:lvef"], bad["pred:lvef"]))
    assert r.p_value == pytest.approx(2 / 200)  # (0 + 1) / (199 + 1), two-sided: never 0


def test_the_bootstrap_resamples_patients_not_studies(predict):
    """One patient holds every study: each patient resample is the whole cohort, so the
    interval of the difference collapses onto it (resampling studies would not)."""
    a = _table(predict, "a.csv", error=2).assign(patient_id="p-all")
    b = _table(predict, "b.csv", error=4, seed=1).assign(patient_id="p-all")
    r = paired_bootstrap(LVEF, [a], [b], ["mae"], n_resamples=100)["mae"]
    assert r.lower == r.upper == pytest.approx(r.difference) and r.difference != 0


def test_several_seeds_count_as_their_mean(predict):
    seeds = [_table(predict, f"s{i}.csv", seed=i) for i in range(3)]
    other = _table(predict, "o.csv", seed=7, error=6)
    r = paired_bootstrap(LVEF, seeds, [other], ["mae"], n_resamples=50)["mae"]
    assert r.a == pytest.approx(np.mean([stats.mae(t["truth:lvef"], t["pred:lvef"])
                                         for t in seeds]))


def test_delong_per_outcome_with_holm_and_bh(predict):
    a = _table(predict, "a.csv", task="acdc-diagnosis")
    b = _table(predict, "b.csv", task="acdc-diagnosis", seed=5)
    results = paired_delong(ACDC, a, b)
    truth = a["truth:group_index"].to_numpy().astype(int)
    groups = ("NOR", "MINF", "DCM", "HCM", "RV")
    direct = [stats.delong_test(truth == i, a[f"pred:{g}"], b[f"pred:{g}"])
              for i, g in enumerate(groups)]
    assert [results[g].p_value for g in groups] == [d.p_value for d in direct]
    assert [results[g].difference for g in groups] == pytest.approx(
        [d.auc_a - d.auc_b for d in direct])
    p = [d.p_value for d in direct]
    assert [results[g].p_holm for g in groups] == pytest.approx(list(stats.holm(p)))
    assert [results[g].p_bh for g in groups] == pytest.approx(list(stats.benjamini_hochberg(p)))
    for g in groups:
        assert results[g].lower < results[g].difference < results[g].upper


def test_paired_tests_refuse_different_studies_or_truth(predict):
    a = _table(predict, "a.csv")
    with pytest.raises(LeaderboardError, match="different studies"):
        aligned([a], [a.iloc[1:]])
    with pytest.raises(LeaderboardError, match="same store"):
        aligned([a], [a.assign(**{"truth:lvef": a["truth:lvef"] + 1})])
