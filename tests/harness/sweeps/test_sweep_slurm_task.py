"""What a SLURM array task runs, run here: the sbatch script's own command under the environment
SLURM gives an array task (sbatch's manual, slurm.schedmd.com/sbatch.html, "OUTPUT ENVIRONMENT
VARIABLES": SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID, SLURM_JOB_ID, SLURM_PROCID, SLURM_NTASKS).
submitit unpickles the task's run, the run trains (Lightning inside SLURM's environment, on this
machine's CPU), the sweep records its attempt, and the collect job reads the result into
results.csv. The task asks submitit to requeue it on timeout or preemption, as the same call."""

from __future__ import annotations

import json

import pandas as pd
from cmrbench.cli import main
from cmrbench.sweeps.jobs import RunJob
from submitit.core.utils import DelayedSubmission

from .conftest import slurm_task, succeeded, write_grid


def test_an_array_task_runs_its_run_and_the_collect_job_reads_it(sweep_store, tmp_path,
                                                                  fake_slurm):
    grid = write_grid(tmp_path / "grid.yaml", {
        "out": "sweep", "grid": {"fraction": [1.0, 0.5]},
        "fixed": {"encoder": "r3d-18-tiny", "dataset": "phantom", "store": str(sweep_store),
                  "task": "lvef", "mode": "linear", "max_steps": 2, "batch_size": 4}})
    out = tmp_path / "sweep"
    assert main(["sweep", str(grid), "--executor", "slurm", "--partition", "cpu"]) == 0
    (array, _), (collect, _) = fake_slurm.calls()

    task = slurm_task(array, SLURM_JOB_ID="4244", SLURM_ARRAY_JOB_ID="4242",
                      SLURM_ARRAY_TASK_ID="1", SLURM_JOB_NAME="cmrbench-grid")
    assert succeeded(task)
    submitted = json.loads((out / "submitted.json").read_text())
    ran = next(run for run, job in submitted.items() if job == "4242_1")
    status = json.loads((out / "status" / f"{ran}.json").read_text())
    assert (status["status"], status["attempts"], status["resumed_from_step"]) == (
        "finished", 1, None)
    result = json.loads((out / "runs" / ran / "result.json").read_text())
    assert result["config"]["fraction"] == 0.5  # task 1 is the grid's second run

    assert succeeded(slurm_task(collect, SLURM_JOB_ID="4243"))
    table = pd.read_csv(out / "results.csv", dtype={"run_id": str}).set_index("run_id")
    assert table.loc[ran, "status"] == "finished"
    assert table.loc[ran, "value"] == result["metrics"][result["primary_metric"]["name"]]["value"]
    assert set(table.drop(index=ran)["status"]) == {"not-started"}

    pickled = DelayedSubmission.load(out / "jobs" / "4242_1" / "4242_1_submitted.pkl")
    requeued = pickled.function.checkpoint(*pickled.args)  # what submitit does on a timeout
    assert isinstance(requeued.function, RunJob) and requeued.args == pickled.args


def test_lightning_joins_a_tasks_processes_into_one_ddp_job(sweep_store, tmp_path, fake_slurm,
                                                             monkeypatch):
    """A run on 2 nodes x 2 GPUs: the trainer its config builds, in the process SLURM starts as
    task 3 (node 1, local rank 1) of the script's ``--nodes`` x ``--ntasks-per-node`` tasks,
    is rank 3 of a 4-process DDP job (Lightning's SLURMEnvironment, which reads SLURM_PROCID,
    SLURM_LOCALID, SLURM_NODEID and SLURM_NTASKS; CPU here, as no GPU is)."""
    from cmrbench.training import RunConfig
    from cmrbench.training.rundir import trainer
    from cmrbench.training.runner import plan_run
    from pytorch_lightning.plugins.environments import SLURMEnvironment

    grid = write_grid(tmp_path / "grid.yaml", {
        "out": "sweep", "grid": {"seed": [0]},
        "fixed": {"encoder": "r3d-18-tiny", "dataset": "phantom", "store": str(sweep_store),
                  "task": "lvef", "mode": "linear", "max_steps": 2}})
    assert main(["sweep", str(grid), "--executor", "slurm", "--gpus-per-node", "2",
                 "--nodes", "2"]) == 0
    (script, _), _ = fake_slurm.calls()
    sbatch = dict(line.removeprefix("#SBATCH --").split("=", 1)
                  for line in script.splitlines() if line.startswith("#SBATCH --"))
    nodes, per_node = int(sbatch["nodes"]), int(sbatch["ntasks-per-node"])
    for name, value in {"SLURM_NTASKS": nodes * per_node, "SLURM_NTASKS_PER_NODE": per_node,
                        "SLURM_JOB_NUM_NODES": nodes, "SLURM_PROCID": 3, "SLURM_LOCALID": 1,
                        "SLURM_NODEID": 1, "SLURM_JOB_ID": 4242, "SLURM_JOB_NAME": "cmrbench",
                        "SLURM_NODELIST": "gpu[01-02]"}.items():
        monkeypatch.setenv(name, str(value))

    job = DelayedSubmission.load(tmp_path / "sweep" / "jobs" / "4242" / "4242_submitted.pkl")
    [config] = job.args[0]
    assert config["accelerator"] == "gpu"
    run = RunConfig.from_mapping({**config, "accelerator": "cpu"})
    built, _ = trainer(run, plan_run(run).task_spec, progress=False)
    assert isinstance(built.strategy.cluster_environment, SLURMEnvironment)
    assert (built.world_size, built.global_rank, built.local_rank, built.node_rank) == (
        4, 3, 1, 1)

