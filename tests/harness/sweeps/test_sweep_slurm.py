"""The SLURM path without a cluster: submitit's real SlurmExecutor writes the sbatch scripts and
calls ``sbatch``, a fake on PATH that keeps them; the submitted jobs are then run the way
SLURM would start them (the script's own command, under SLURM's environment variables).

Independent truth: sbatch's manual (slurm.schedmd.com/sbatch.html): ``--array=0-2%2`` is
indices 0..2 with at most 2 tasks at once; ``--dependency=afterany:ID`` starts a job once job
ID has ended in any state; ``--ntasks-per-node`` with ``--gpus-per-node`` gives one task per
GPU, which is what Lightning's SLURM detection expects for DDP (``SLURM_NTASKS`` = devices x
nodes).
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pandas as pd
from cmrbench.cli import main
from cmrbench.sweeps.manifest import config_hash
from submitit.core.utils import DelayedSubmission

from .conftest import sbatch_lines, slurm_task, succeeded, write_grid

FLAGS = ["--executor", "slurm", "--partition", "gpu", "--account", "lab", "--gpus-per-node",
         "2", "--nodes", "2", "--cpus-per-task", "4", "--mem-gb", "32", "--timeout-min", "90",
         "--array-parallelism", "2", "--setup", "source /shared/venv/bin/activate"]


def grid_file(folder: Path, store: Path) -> Path:
    """Three runs from two blocks: fractions 1.0 and 0.5 with seed 0, fraction 1.0 seed 1."""
    return write_grid(folder / "grid.yaml", {
        "out": "sweep",
        "grid": [{"fraction": [1.0, 0.5], "seed": [0]}, {"fraction": [1.0], "seed": [1]}],
        "fixed": {"encoder": "r3d-18-tiny", "dataset": "phantom", "store": str(store),
                  "task": "lvef", "mode": "linear", "max_steps": 2}})


def test_a_grid_becomes_one_ddp_job_array_and_a_collect_job(sweep_store, tmp_path, fake_slurm,
                                                             capsys):
    grid = grid_file(tmp_path, sweep_store)
    out = tmp_path / "sweep"
    assert main(["sweep", str(grid), *FLAGS, "--dry-run"]) == 0
    preview = capsys.readouterr().out
    assert fake_slurm.calls() == []  # a dry run submits nothing

    assert main(["sweep", str(grid), *FLAGS]) == 0
    (array, array_args), (collect, _) = fake_slurm.calls()
    assert array in preview  # --dry-run shows exactly the script submitted
    assert {"#SBATCH --array=0-2%2", "#SBATCH --partition=gpu", "#SBATCH --account=lab",
            "#SBATCH --nodes=2", "#SBATCH --gpus-per-node=2", "#SBATCH --ntasks-per-node=2",
            "#SBATCH --cpus-per-task=4", "#SBATCH --mem=32GB", "#SBATCH --time=90",
            "#SBATCH --job-name=cmrbench-grid"} <= sbatch_lines(array)
    assert "source /shared/venv/bin/activate" in array.splitlines()
    assert f"{shlex.quote(sys.executable)} -u -m submitit.core._submit {out}/jobs/%j" in array
    assert array_args[-1].endswith(".sh")

    tasks = [DelayedSubmission.load(out / "jobs" / f"4242_{i}" / f"4242_{i}_submitted.pkl")
             for i in range(3)]
    configs = [task.args[0][0] for task in tasks]  # each task: one run's config
    assert [(c["fraction"], c["seed"]) for c in configs] == [(1.0, 0), (0.5, 0), (1.0, 1)]
    for config in configs:
        assert (config["accelerator"], config["devices"], config["num_nodes"],
                config["strategy"]) == ("gpu", "2", 2, "ddp")
        assert Path(config["out"]) == out / "runs" / config_hash(config)
    assert json.loads((out / "submitted.json").read_text()) == {
        Path(c["out"]).name: f"4242_{i}" for i, c in enumerate(configs)}

    assert {"#SBATCH --dependency=afterany:4242", "#SBATCH --job-name=cmrbench-grid-collect",
            "#SBATCH --partition=gpu", "#SBATCH --account=lab"} <= sbatch_lines(collect)
    assert not any("gpus" in line or "array" in line for line in sbatch_lines(collect))
    assert succeeded(slurm_task(collect, SLURM_JOB_ID="4243"))
    table = pd.read_csv(out / "results.csv")
    assert list(table["status"]) == ["not-started"] * 3  # no task has run here


def test_runs_still_queued_are_not_submitted_again(sweep_store, tmp_path, fake_slurm, capsys):
    grid = grid_file(tmp_path, sweep_store)
    assert main(["sweep", str(grid), *FLAGS]) == 0
    first = json.loads((tmp_path / "sweep" / "submitted.json").read_text())
    # task 0 runs, task 2 failed, and sacct does not know task 1 (yet)
    fake_slurm.states(["4242_0|RUNNING", "4242_2|FAILED"])
    capsys.readouterr()
    assert main(["sweep", str(grid), *FLAGS]) == 0
    printed = capsys.readouterr().out
    assert "queued (RUNNING)" in printed and "queued (UNKNOWN)" in printed
    assert "sacct cannot say" in printed
    calls = fake_slurm.calls()
    assert len(calls) == 4  # array + collect, then one job + collect
    resubmitted = calls[2][0]
    assert not any("--array" in line for line in sbatch_lines(resubmitted))  # a single run
    again = json.loads((tmp_path / "sweep" / "submitted.json").read_text())
    changed = {run for run in again if again[run] != first[run]}
    assert changed == {run for run, job in first.items() if job == "4242_2"}
    assert again[changed.pop()] == "4244"
