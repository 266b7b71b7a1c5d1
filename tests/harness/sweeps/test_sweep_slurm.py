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
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
from cmrbench.cli import main
from cmrbench.sweeps.manifest import config_hash
from submitit.core.utils import DelayedSubmission

from .conftest import write_grid

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


def sbatch_lines(script: str) -> set[str]:
    return {line for line in script.splitlines() if line.startswith("#SBATCH")}


def slurm_task(script: str, **env: str) -> subprocess.Popen:
    """The script's srun command, started as srun starts the job's task 0 (its environment
    variables as SLURM sets them)."""
    line = next(line for line in script.splitlines() if line.startswith("srun "))
    argv = shlex.split(line)
    command = argv[argv.index("-u") - 1:]  # after srun's own options: python -u -m ...
    slurm = {"SUBMITIT_EXECUTOR": "slurm", "SLURM_PROCID": "0", "SLURM_LOCALID": "0",
             "SLURM_NTASKS": "1", "SLURM_NODEID": "0", "SLURM_JOB_NUM_NODES": "1", **env}
    return subprocess.Popen(command, env={**os.environ, **slurm}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def succeeded(task: subprocess.Popen) -> bool:
    _, stderr = task.communicate(timeout=300)
    assert task.returncode == 0, stderr[-3000:]
    return True


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


def test_an_ingest_sweep_is_an_array_of_shards_whose_store_equals_a_single_ingest(
        tmp_path, fake_slurm):
    source, single = tmp_path / "source", tmp_path / "single"
    assert main(["phantom", "--layout", "clinical", "--n", "6", "--seed", "1", "--out",
                 str(source), "--matrix", "48", "--frames", "8", "--quiet"]) == 0
    assert main(["ingest", "phantom", str(source), "--out", str(single), "--workers", "1",
                 "--no-progress"]) == 0
    grid = write_grid(tmp_path / "ingest.yaml", {
        "kind": "ingest", "out": "ingest-sweep", "dataset": "phantom", "source": "source",
        "store": "sharded", "shards": 3, "slurm": {"partition": "cpu", "cpus_per_task": 2}})
    assert main(["sweep", str(grid), "--executor", "slurm"]) == 0
    [(script, _)] = fake_slurm.calls()
    assert {"#SBATCH --array=0-2%3", "#SBATCH --partition=cpu",
            "#SBATCH --cpus-per-task=2"} <= sbatch_lines(script)
    tasks = [slurm_task(script, SLURM_JOB_ID=str(5000 + i), SLURM_ARRAY_JOB_ID="4242",
                        SLURM_ARRAY_TASK_ID=str(i)) for i in range(3)]  # all at once
    assert all(succeeded(task) for task in tasks)
    sharded = tmp_path / "sharded"
    for name in ("index.csv", "ingest_report.json"):
        assert (sharded / name).read_bytes() == (single / name).read_bytes()
    assert sorted(p.name for p in (sharded / "studies").iterdir()) == sorted(
        p.name for p in (single / "studies").iterdir())
    for study in (single / "studies").iterdir():
        assert (sharded / "studies" / study.name).read_bytes() == study.read_bytes()
