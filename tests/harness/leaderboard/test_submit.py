"""`cmrbench submit`: exactly the benchmark's test studies, re-scored with the store's labels.

Each rejection named by the issue (missing study, extra study, duplicate, NaN, probability
outside [0, 1], stale split hash, another suite's version) is a submission that differs from a
valid one in that one respect, and must be refused with a message naming the problem while
leaving the board untouched.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from cmrbench.cli import main
from cmrbench.leaderboard.errors import LeaderboardError, SubmissionRejected
from cmrbench.leaderboard.submit import submit
from cmrbench.predictions import read_predictions
from cmrbench.resources import resource_dir
from cmrbench.suites import load_suite

SUITE = "phantom-v1"


def test_a_valid_submission_is_rescored_with_the_stores_labels(store, board, predict,
                                                                test_studies):
    # the submitter's truth column is wrong on purpose: the board must not use it
    path = predict(rows=lambda t: t.assign(**{"truth:lvef": t["truth:lvef"] + 100}))
    submitted = read_predictions(path).table
    accepted = submit([path], load_suite(SUITE), "lvef-linear", "tiny", store=store,
                      board=board)
    run = accepted.entry["runs"][0]
    store_truth = test_studies["label:lvef"].to_numpy(np.float32).astype(np.float64)
    by_study = dict(zip(submitted["study_id"], submitted["pred:lvef"], strict=True))
    pred = np.array([by_study[s] for s in test_studies["study_id"]])
    assert run["metrics"]["mae"]["value"] == pytest.approx(np.mean(np.abs(pred - store_truth)),
                                                            rel=1e-12)
    assert run["metrics"]["mae"]["method"] == "bootstrap-by-patient"
    scored = read_predictions(board / run["predictions"]["file"]).table
    assert list(scored["study_id"]) == list(test_studies["study_id"])  # both sorted by study
    np.testing.assert_array_equal(scored["truth:lvef"], store_truth)
    assert run["submitted"]["sha256"] != run["predictions"]["sha256"]
    site = run["subgroups"]["site"]
    assert sum(cell["n"] for cell in site.values()) == len(test_studies)
    assert accepted.entry["suite"]["sha256"] == load_suite(SUITE).sha256


def _duplicate(t: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([t, t.iloc[[0]]], ignore_index=True)


def _nan(t: pd.DataFrame) -> pd.DataFrame:
    return t.assign(**{"pred:lvef": [np.nan, *t["pred:lvef"].iloc[1:]]})


def _extra(t: pd.DataFrame) -> pd.DataFrame:
    extra = t.iloc[[0]].assign(study_id="s000", patient_id="p000")  # a training study
    return pd.concat([t, extra], ignore_index=True)


@pytest.mark.parametrize(("task", "edit", "header", "message"), [
    ("lvef", lambda t: t.iloc[1:], {}, "missing studies: 1 test study"),
    ("lvef", _extra, {}, "extra studies: 1 study(ies) are not test studies"),
    ("lvef", _duplicate, {}, "1 duplicated study_id"),
    ("lvef", _nan, {}, "'pred:lvef' has 1 missing or non-finite value"),
    ("acdc-diagnosis", lambda t: t.assign(**{"pred:NOR": t["pred:NOR"] + 1.0}), {},
     "probability outside [0, 1]: column 'pred:NOR'"),
    ("lvef", None, {"split_sha256": "0" * 64}, "stale split hash"),
    ("lvef", None, {"suite": {"name": "phantom-v1", "version": 0}}, "suite version"),
    ("lvef", None, {"suite": "cmr-v1"}, "suite version"),
    ("lvef", None, {"fraction": 0.5}, "fraction: the predictions were trained on fraction 0.5"),
    ("lvef", lambda t: t.assign(patient_id="p999"), {}, "name another patient"),
])
def test_each_problem_is_refused_by_name_and_nothing_is_written(store, board, predict, task,
                                                                edit, header, message):
    benchmark = {"lvef": "lvef-linear", "acdc-diagnosis": "acdc-diagnosis-linear"}[task]
    path = predict(task=task, rows=edit, **header)
    with pytest.raises(SubmissionRejected) as caught:
        submit([path], load_suite(SUITE), benchmark, "tiny", store=store, board=board)
    assert message in str(caught.value)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert not board.exists()


def test_every_problem_is_listed_at_once(store, board, predict, capsys):
    path = predict(rows=lambda t: _nan(t.iloc[1:]), split_sha256="0" * 64)
    code = main(["submit", str(path), "--suite", SUITE, "--benchmark", "lvef-linear",
                 "--name", "tiny", "--store", str(store), "--board", str(board)])
    err = capsys.readouterr().err
    assert code == 2
    assert "rejected (3 problem(s))" in err
    for problem in ("missing studies", "non-finite", "stale split hash"):
        assert problem in err


def test_seeds_are_runs_of_one_entry_and_a_name_is_taken_once(store, board, predict):
    suite = load_suite(SUITE)
    first, second = predict("a.csv", seed=0), predict("b.csv", seed=1, error=5.0)
    entry = submit([first, second], suite, "lvef-linear", "tiny", store=store,
                   board=board).entry
    assert [run["seed"] for run in entry["runs"]] == [0, 1]
    with pytest.raises(LeaderboardError, match="already on benchmark"):
        submit([first], suite, "lvef-linear", "tiny", store=store, board=board)
    with pytest.raises(SubmissionRejected, match=r"seed\(s\) \[0\] appear more than once"):
        submit([first, predict("c.csv", seed=0)], suite, "lvef-linear", "other", store=store,
               board=board)


def test_a_store_with_other_labels_cannot_join_a_board(store, board, predict, tmp_path):
    suite = load_suite(SUITE)
    submit([predict()], suite, "lvef-linear", "first", store=store, board=board)
    index = pd.read_csv(store / "index.csv")
    index.loc[index["split"] == "test", "label:lvef"] += 1.0
    index.to_csv(store / "index.csv", index=False)
    with pytest.raises(SubmissionRejected, match="differ from those of the store given"):
        submit([predict("again.csv")], suite, "lvef-linear", "second", store=store, board=board)


def test_a_pending_benchmark_accepts_nothing(store, board, predict, tmp_path):
    data = yaml.safe_load((resource_dir("leaderboards") / SUITE / "suite.yaml").read_text())
    data["benchmarks"]["retrieval"]["task"] = "future-task"  # a task not registered yet
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(LeaderboardError, match="task 'future-task' is not registered"):
        submit([predict()], load_suite(path), "retrieval", "tiny", store=store, board=board)


def test_entries_are_strict_json_whatever_the_name(store, board, predict):
    name = 'odd "name" / with ../ and ünïcode'
    path = submit([predict()], load_suite(SUITE), "lvef-linear", name, store=store,
                  board=board).path
    assert path.parent == board and ".." not in path.name and "/" not in path.name[:-5]
    assert json.loads(path.read_text())["name"] == name
