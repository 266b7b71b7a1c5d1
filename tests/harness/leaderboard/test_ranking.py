"""Ranking a benchmark: seeds as mean and spread, groups of entries the data cannot tell
apart from the best, and paired p-values against the suite's baseline."""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.leaderboard.build import assemble
from cmrbench.leaderboard.submit import submit
from cmrbench.suites import load_suite


@pytest.fixture(scope="module")
def ranked(kit, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranking")
    store, board = kit.write_store(folder / "store"), folder / "board"

    def predict(name, **options):
        return kit.make_predictions(store, folder / name, **options)

    suite = load_suite("phantom-v1")
    entries = {"close-a": dict(error=1.0, seed=0), "close-b": dict(error=1.0, seed=1),
               "r3d-18-tiny-random": dict(error=20.0, seed=2)}  # the suite's baseline
    for name, options in entries.items():
        submit([predict(f"{name}.csv", **options)], suite, "lvef-linear", name, store=store,
               board=board)
    submit([predict("s0.csv", error=3.0, seed=3), predict("s1.csv", error=3.0, seed=4)],
           suite, "lvef-linear", "two-seeds", store=store, board=board)
    return assemble(suite, board, n_resamples=300, figures=False).ranked["lvef-linear"]


def test_entries_the_data_cannot_separate_share_the_leaders_group(ranked):
    by_name = {row.name: row for row in ranked.rows}
    assert [row.rank for row in ranked.rows] == [1, 2, 3, 4]
    assert ranked.rows[0].name in ("close-a", "close-b")
    assert by_name["close-a"].group == by_name["close-b"].group == 1
    assert by_name["r3d-18-tiny-random"].group > by_name["two-seeds"].group > 1


def test_seeds_are_shown_as_mean_and_spread(ranked):
    row = next(r for r in ranked.rows if r.name == "two-seeds")
    assert len(row.values) == 2
    assert row.mean == pytest.approx(np.mean(row.values))
    assert row.spread == pytest.approx(np.std(row.values, ddof=1)) and row.spread > 0


def test_p_values_against_the_baseline_are_holm_adjusted(ranked):
    baseline = ranked.baseline
    assert baseline.name == "r3d-18-tiny-random" and baseline.p_baseline is None
    others = [r for r in ranked.rows if r is not baseline]
    assert all(r.p_baseline < 0.05 for r in others)
    raw = sorted(r.p_baseline for r in others)
    holm = sorted(r.p_baseline_holm for r in others)
    assert holm[0] == pytest.approx(min(1.0, len(raw) * raw[0]))  # Holm's first step
