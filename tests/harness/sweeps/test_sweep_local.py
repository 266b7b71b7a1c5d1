"""A real sweep through submitit's LocalExecutor (each job a real subprocess) on the phantom:
killed mid-way, run again (finished runs kept, interrupted ones resumed from their last
checkpoint), run a third time (nothing new), and its results.csv submitted to a board whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch
from cmrbench.cli import main
from cmrbench.leaderboard.entries import Board

from .conftest import write_grid

EPOCHS = 6
STEPS_PER_EPOCH = 3  # 9 training studies, batches of 4


def grid_file(folder: Path, store: Path) -> Path:
    """Two runs, fractions 1.0 and 0.5, one after the other in one local job (README's
    example runs two jobs side by side)."""
    return write_grid(folder / "grid.yaml", {
        "out": "sweep",
        "grid": {"fraction": [1.0, 0.5]},
        "fixed": {"encoder": "r3d-18-tiny", "dataset": "phantom", "store": str(store),
                  "task": "lvef", "mode": "linear", "max_epochs": EPOCHS, "batch_size": 4,
                  "lr": 0.01},
        "local": {"workers": 1}})


def _epoch(checkpoint: Path) -> int:
    try:
        return int(torch.load(checkpoint, weights_only=True)["epoch"])
    except Exception:  # noqa: BLE001 - being written right now
        return -1


def _interrupted(out: Path) -> set[str]:
    return {p.parents[1].name for p in out.glob("runs/*/checkpoints/last.ckpt")
            if not (p.parents[1] / "result.json").exists()}


def _kill_once_a_run_is_past_its_first_epoch(grid: Path, out: Path) -> set[str]:
    process = subprocess.Popen([sys.executable, "-m", "cmrbench.cli", "sweep", str(grid),
                                "--no-progress"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not any(_epoch(p) >= 1 for p in out.glob("runs/*/checkpoints/last.ckpt")
                  if not (p.parents[1] / "result.json").exists()):
        assert process.poll() is None and time.monotonic() < deadline, "no checkpoint appeared"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the command and every job it started
    process.wait()
    return _interrupted(out)


def test_a_killed_sweep_is_resumed_then_runs_nothing_new(sweep_store, tmp_path, capsys):
    grid = grid_file(tmp_path, sweep_store)
    out = tmp_path / "sweep"
    interrupted = _kill_once_a_run_is_past_its_first_epoch(grid, out)
    assert interrupted, "the kill must land mid-way through a run"

    assert main(["sweep", str(grid), "--no-progress"]) == 0
    table = pd.read_csv(out / "results.csv", dtype={"run_id": str})
    planned = capsys.readouterr().out
    for run_id in table["run_id"]:
        assert f"{run_id}  {'resume' if run_id in interrupted else 'new'}" in planned
    assert len(table) == 2 and set(table["status"]) == {"finished"}
    assert sorted(table["fraction"]) == [0.5, 1.0]
    for row in table.itertuples():
        result = json.loads((Path(row.run_dir) / "result.json").read_text())
        mae = result["metrics"]["mae"]
        assert (row.metric, row.value, row.lower, row.upper) == ("mae", mae["value"],
                                                                 mae["lower"], mae["upper"])
        assert Path(row.run_dir).name == row.run_id
        assert result["config"]["fraction"] == row.fraction
        assert result["validation"]["scores_by_epoch"].keys() == {str(e) for e in range(EPOCHS)}
        if row.run_id in interrupted:  # a second attempt, from the checkpoint left behind
            assert row.attempts == 2 and row.resumed_from_step >= STEPS_PER_EPOCH
        else:
            assert pd.isna(row.resumed_from_step)

    stamps = {p: p.stat().st_mtime_ns for p in out.glob("runs/*/*")}
    jobs = set(os.listdir(out / "jobs"))
    assert main(["sweep", str(grid), "--no-progress"]) == 0
    assert "nothing to run: 2 run(s) finished" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.glob("runs/*/*")} == stamps
    assert set(os.listdir(out / "jobs")) == jobs  # no job was started

    board = tmp_path / "board"
    assert main(["submit", str(out / "results.csv"), "--suite", "phantom-v1", "--name",
                 "{encoder}-{initialisation}", "--board", str(board)]) == 0
    entries = [json.loads(p.read_text()) for p in Board(board).entry_files()]
    assert {(e["benchmark"]["name"], e["name"]): sorted(r["seed"] for r in e["runs"])
            for e in entries} == {("lvef-linear", "r3d-18-tiny-random"): [0],
                                  ("lvef-linear-f50", "r3d-18-tiny-random"): [0]}


@pytest.mark.parametrize("workers", [1])
def test_dry_run_lists_the_runs_and_starts_nothing(sweep_store, tmp_path, capsys, workers):
    grid = grid_file(tmp_path, sweep_store)
    assert main(["sweep", str(grid), "--dry-run", "--workers", str(workers)]) == 0
    printed = capsys.readouterr().out
    assert "2 run(s):" in printed and printed.count("  new  ") == 2
    assert "would run in 1 local job(s)" in printed
    assert not (tmp_path / "sweep").exists()
