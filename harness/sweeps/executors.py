"""The two ways a sweep's jobs are started, both submitit's: its LocalExecutor (``workers``
subprocesses on this machine, the items dealt round-robin among them) and its SlurmExecutor
(one job array, one task per item; a task spans ``nodes`` x ``gpus_per_node`` GPUs with one
process per GPU, which Lightning recognises from SLURM's environment and joins into DDP).

Every job calls ``fn(items, *extra)``; an array task gets a one-item list.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import submitit
from cmrbench.sweeps.options import ExecutorOptions

SLURM_JOB_FOLDER = "%j"  # one folder per array task under OUT/jobs
# SLURM states of a job that has not ended yet (sacct's names)
ACTIVE_STATES = ("PENDING", "RUNNING", "REQUEUED", "CONFIGURING", "COMPLETING", "SUSPENDED",
                 "RESIZING", "REQUEUE_HOLD", "REQUEUE_FED")
COLLECT_TIMEOUT_MIN = 30


def submit_local(folder: Path, options: ExecutorOptions, fn: Callable[..., Any],
                 items: Sequence[Any], *extra: Any) -> list[submitit.Job]:
    """``options.workers`` local jobs at once, each running its share of ``items`` in turn
    (LocalExecutor starts every submitted job at once, so the share is what bounds them)."""
    jobs = []
    for worker in range(min(options.workers, len(items))):
        executor = submitit.LocalExecutor(folder=folder)
        parameters: dict[str, Any] = {"timeout_min": options.timeout_min}
        if options.gpus:
            parameters.update(gpus_per_node=1, visible_gpus=[worker % options.gpus])
        executor.update_parameters(**parameters)
        jobs.append(executor.submit(fn, list(items[worker::options.workers]), *extra))
    return jobs


def slurm_parameters(options: ExecutorOptions, name: str) -> dict[str, Any]:
    """SlurmExecutor's parameters (sbatch's names) for one task of the sweep's array."""
    parameters = {
        "job_name": name, "time": options.timeout_min, "nodes": options.nodes,
        "ntasks_per_node": max(1, options.gpus_per_node),
        "gpus_per_node": options.gpus_per_node or None, "cpus_per_task": options.cpus_per_task,
        "mem": _memory(options.mem_gb), "partition": options.partition,
        "account": options.account, "qos": options.qos, "constraint": options.constraint,
        "array_parallelism": options.array_parallelism, "setup": list(options.setup) or None}
    return {key: value for key, value in parameters.items() if value is not None}


def collect_parameters(options: ExecutorOptions, name: str, after: str) -> dict[str, Any]:
    """A small CPU job that starts once job ``after`` (the array) has ended, however."""
    parameters = {"job_name": f"{name}-collect", "time": COLLECT_TIMEOUT_MIN, "nodes": 1,
                  "ntasks_per_node": 1, "cpus_per_task": 1, "partition": options.partition,
                  "account": options.account, "qos": options.qos,
                  "dependency": f"afterany:{after}", "setup": list(options.setup) or None}
    return {key: value for key, value in parameters.items() if value is not None}


def submit_slurm(folder: Path, parameters: dict[str, Any], fn: Callable[..., Any],
                 items: Sequence[Any], *extra: Any) -> list[submitit.Job]:
    """One job array (a plain job for one item): task i runs ``fn([items[i]], *extra)``."""
    executor = submitit.SlurmExecutor(folder=Path(folder) / SLURM_JOB_FOLDER)
    executor.update_parameters(**parameters)
    return executor.map_array(fn, [[item] for item in items],
                              *[[value] * len(items) for value in extra])


def submit_slurm_job(folder: Path, parameters: dict[str, Any], fn: Callable[..., Any],
                     *args: Any) -> submitit.Job:
    executor = submitit.SlurmExecutor(folder=Path(folder) / SLURM_JOB_FOLDER)
    executor.update_parameters(**parameters)
    return executor.submit(fn, *args)


def sbatch_script(folder: Path, parameters: dict[str, Any], count: int) -> str:
    """The sbatch script submitit writes for an array of ``count`` tasks with these
    parameters (for --dry-run, which needs no SLURM installation)."""
    from submitit.slurm.slurm import _make_sbatch_string

    job_folder = Path(folder) / SLURM_JOB_FOLDER
    command = " ".join([shlex.quote(sys.executable), "-u -m submitit.core._submit",
                        shlex.quote(str(job_folder))])
    return _make_sbatch_string(command=command, folder=job_folder,
                               map_count=count if count > 1 else None, **parameters)


def active_jobs(job_ids: dict[str, str]) -> dict[str, str]:
    """Of ``job_ids`` (key -> SLURM job ID), those whose job has not ended, or whose state
    sacct cannot tell (UNKNOWN: never submit a run twice), as key -> state."""
    watcher = submitit.SlurmJob.watcher
    for job_id in job_ids.values():
        watcher.register_job(job_id)
    watcher.update()  # one sacct call for all of them
    states = {key: watcher.get_state(job_id, mode="cache") for key, job_id in job_ids.items()}
    return {key: state for key, state in states.items()
            if state.split()[0] in (*ACTIVE_STATES, "UNKNOWN")}


def _memory(mem_gb: float | None) -> str | None:
    if mem_gb is None:
        return None
    return f"{int(mem_gb)}GB" if float(mem_gb).is_integer() else f"{int(mem_gb * 1024)}MB"
