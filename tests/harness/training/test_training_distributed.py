"""Runs as users launch them: two CPU processes (DDP over gloo), and a fit killed and resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch
from cmrbench.predictions import read_predictions
from cmrbench.store import StudyStore


def cmrbench(*args: str) -> list[str]:
    return [sys.executable, "-m", "cmrbench.cli", *args]


def run_args(store: Path, out: Path, *extra: str) -> list[str]:
    return cmrbench("run", "--encoder", "r3d-18-tiny", "--dataset", "phantom", "--store",
                    str(store), "--task", "lvef", "--mode", "linear", "--out", str(out),
                    "--batch-size", "4", "--lr", "0.01", "--no-progress", *extra)


def test_two_process_evaluation_predicts_every_test_study_exactly_once(small_store, tmp_path):
    test = StudyStore(small_store).index.query("split == 'test'")
    assert len(test) % 2 == 1  # an odd test split: a padding sampler would repeat a study
    out = tmp_path / "ddp"
    done = subprocess.run(run_args(small_store, out, "--max-steps", "2", "--accelerator", "cpu",
                                   "--devices", "2", "--strategy", "ddp"),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    table = read_predictions(out / "predictions.csv").table
    assert sorted(table["study_id"]) == sorted(test["study_id"])
    result = json.loads((out / "result.json").read_text())
    assert result["cost"]["devices"] == 2


def _epoch_of(checkpoint: Path) -> int:
    try:
        return int(torch.load(checkpoint, weights_only=True)["epoch"])
    except Exception:  # noqa: BLE001 - being written or replaced right now
        return -1


def test_a_killed_fit_resumed_ends_with_the_metrics_of_an_uninterrupted_one(small_store,
                                                                              tmp_path):
    epochs = ("--max-epochs", "6")
    whole = subprocess.run(run_args(small_store, tmp_path / "whole", *epochs),
                           capture_output=True, text=True, timeout=900)
    assert whole.returncode == 0, whole.stderr[-3000:]

    out = tmp_path / "killed"
    last = out / "checkpoints" / "last.ckpt"
    process = subprocess.Popen(run_args(small_store, out, *epochs), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600
    while not (last.exists() and _epoch_of(last) >= 1):
        assert process.poll() is None and time.monotonic() < deadline, "no checkpoint appeared"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "result.json").exists()  # killed before it finished
    resumed = subprocess.run(run_args(small_store, out, *epochs, "--resume"),
                             capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]

    expected = json.loads((tmp_path / "whole" / "result.json").read_text())
    got = json.loads((out / "result.json").read_text())
    assert got["metrics"] == expected["metrics"]
    assert got["validation"]["scores_by_epoch"] == expected["validation"]["scores_by_epoch"]
    assert (read_predictions(out / "predictions.csv").table.drop(columns="attention").equals(
        read_predictions(tmp_path / "whole" / "predictions.csv").table.drop(
            columns="attention")))
