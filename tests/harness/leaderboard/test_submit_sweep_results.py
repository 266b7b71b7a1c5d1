"""`cmrbench submit SWEEP/results.csv`: a sweep's rows become entries (one per benchmark and
name, seeds as runs), each row's run checked against the row before anything is written.

The sweep folders here are written by hand (run directories with predictions made for the
store fixture, the plan, then results.csv through the sweep's own writer), so no model runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cmrbench.cli import main
from cmrbench.leaderboard.entries import Board
from cmrbench.sweeps.manifest import RESULTS_FILE, config_hash, write_plan
from cmrbench.sweeps.results import write_results

from .conftest import make_predictions


def sweep_run(sweep: Path, store: Path, **fields: Any) -> dict[str, Any]:
    """A finished run directory of the sweep at ``sweep``; returns its plan entry."""
    config = {"encoder": "r3d-18-tiny", "dataset": "phantom", "store": str(store),
              "task": "lvef", "mode": "linear", "weights": None, "task_options": {},
              "fraction": 1.0, "fraction_seed": 0, "seed": 0, "lr": 1e-4, **fields}
    run_id = config_hash(config)
    out = sweep / "runs" / run_id
    config["out"] = str(out)
    out.mkdir(parents=True)
    make_predictions(store, out / "predictions.csv", seed=config["seed"],
                     fraction=config["fraction"], encoder=config["encoder"])
    result = {"primary_metric": {"name": "mae", "higher_is_better": False},
              "metrics": {"mae": {"value": 3.0, "lower": 2.0, "upper": 4.0,
                                  "method": "bootstrap-by-patient", "n": 30}},
              "provenance": {"initialisation": "random"}, "studies": {"test": {"studies": 30}},
              "config": config}
    (out / "result.json").write_text(json.dumps(result))
    return {"run_id": run_id, "axes": {"fraction": config["fraction"], "seed": config["seed"]},
            "config": config}


def results_csv(sweep: Path, store: Path, runs: list[dict[str, Any]]) -> Path:
    write_plan(sweep, sweep / "grid.yaml", [sweep_run(sweep, store, **fields) for fields in runs])
    return write_results(sweep)


def submit(results: Path, board: Path, name: str, *extra: str) -> int:
    return main(["submit", str(results), "--suite", "phantom-v1", "--name", name, "--board",
                 str(board), *extra])


def entries(board: Path) -> dict[tuple[str, str], list[int]]:
    found = [json.loads(p.read_text()) for p in Board(board).entry_files()]
    return {(e["benchmark"]["name"], e["name"]): sorted(r["seed"] for r in e["runs"])
            for e in found}


def test_rows_become_entries_by_benchmark_and_name(store, board, tmp_path, capsys):
    results = results_csv(tmp_path / "sweep", store, [
        {"seed": 0}, {"seed": 1}, {"fraction": 0.5}, {"encoder": "mvit-b-16x4-tiny"},
        {"fraction": 0.1}])
    assert submit(results, board, "{encoder}") == 0
    assert entries(board) == {("lvef-linear", "r3d-18-tiny"): [0, 1],
                              ("lvef-linear-f50", "r3d-18-tiny"): [0],
                              ("lvef-linear", "mvit-b-16x4-tiny"): [0]}
    printed = capsys.readouterr().out
    assert "1 row(s) belong to no benchmark of phantom-v1" in printed
    assert "phantom/lvef/linear/fraction 0.1" in printed


def test_only_the_benchmark_given_is_submitted(store, board, tmp_path):
    results = results_csv(tmp_path / "sweep", store, [{"seed": 0}, {"fraction": 0.5}])
    assert submit(results, board, "tiny", "--benchmark", "lvef-linear-f50") == 0
    assert entries(board) == {("lvef-linear-f50", "tiny"): [0]}


def _unfinished(sweep: Path) -> None:
    table = pd.read_csv(sweep / RESULTS_FILE, dtype=str, keep_default_na=False)
    table.loc[table["seed"] == "1", "status"] = "incomplete"
    table.to_csv(sweep / RESULTS_FILE, index=False)


def _other_config(sweep: Path) -> None:
    result = next((sweep / "runs").glob("*/result.json"))
    record = json.loads(result.read_text())
    record["config"]["lr"] = 0.5
    result.write_text(json.dumps(record))


def _edited_row(sweep: Path) -> None:
    table = pd.read_csv(sweep / RESULTS_FILE, dtype=str, keep_default_na=False)
    table.loc[table["seed"] == "1", "encoder"] = "mvit-b-16x4-tiny"
    table.to_csv(sweep / RESULTS_FILE, index=False)


@pytest.mark.parametrize(("runs", "name", "edit", "message"), [
    ([{"seed": 0}, {"seed": 1}], "tiny", _unfinished,
     "status 'incomplete': only finished runs can be submitted"),
    ([{"seed": 0}], "tiny", _other_config, "has another configuration than the row's run ID"),
    ([{"seed": 0}, {"seed": 1}], "tiny", _edited_row,
     "column(s) ['encoder'] differ from the run's own configuration"),
    ([{"seed": 0}, {"seed": 1, "lr": 0.001}], "tiny", None,
     "differ in ['lr'], not only in their seed; put {lr} in --name"),
    ([{"seed": 0}, {"encoder": "mvit-b-16x4-tiny"}], "tiny", None, "differ in ['encoder']"),
    ([{"seed": 0}], "{encoder}-{optimiser}", None,
     "'optimiser' is neither a column of results.csv nor a field"),
    ([{"seed": 0}, {"seed": 0, "fraction_seed": 1}], "tiny", None,
     "differ in ['fraction_seed']"),
])
def test_a_row_that_does_not_hold_is_refused_and_nothing_is_written(store, board, tmp_path,
                                                                    capsys, runs, name, edit,
                                                                    message):
    sweep = tmp_path / "sweep"
    results = results_csv(sweep, store, runs)
    if edit is not None:
        edit(sweep)
    assert submit(results, board, name) == 2
    assert message in capsys.readouterr().err
    assert not board.exists() or not list(board.iterdir())


def test_every_entrys_problems_are_listed_at_once(store, board, tmp_path, capsys):
    """--name may name any field of the runs' configuration; a second submission of the same
    four entries is refused for each of them at once."""
    results = results_csv(tmp_path / "sweep", store, [
        {"seed": 0}, {"seed": 0, "lr": 1e-3}, {"fraction": 0.5}, {"fraction": 0.5, "lr": 1e-3}])
    assert submit(results, board, "{lr}") == 0  # distinct names: four entries
    assert len(entries(board)) == 4
    assert submit(results, board, "{lr}") == 2  # the same names again: every one refused
    error = capsys.readouterr().err
    assert error.count("is already on benchmark") == 4


def test_run_directories_still_need_a_benchmark(store, board, tmp_path, capsys):
    run = Path(sweep_run(tmp_path / "sweep", store)["config"]["out"])
    assert main(["submit", str(run), "--suite", "phantom-v1", "--name", "x", "--board",
                 str(board)]) == 2
    assert "--benchmark is required" in capsys.readouterr().err
