"""What a sweep's jobs run, on whichever machine the executor chose.

Submitit pickles these callables with their arguments (plain dicts and strings) and calls
them in the job. A run resumes from its last checkpoint whenever one exists, so a job that
was killed, preempted or timed out is continued by submitting it again; ``RunJob`` asks
submitit to requeue itself on preemption or timeout, which does exactly that. Under DDP
every process runs the same call; only global rank zero writes the sweep's records.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import submitit
from cmrbench.sweeps import manifest


class SweepJobError(RuntimeError):
    """A job's runs or command failed; the message names each and its error."""


class RunJob(submitit.helpers.Checkpointable):
    """Run the given configs one after another (see :func:`run_configs`)."""

    def __call__(self, configs: list[dict[str, Any]], sweep_dir: str) -> list[dict[str, Any]]:
        return run_configs(configs, sweep_dir)


def run_configs(configs: list[dict[str, Any]], sweep_dir: str) -> list[dict[str, Any]]:
    """Run each config in turn; a failed run is recorded and the next one starts. Raises at
    the end if any failed, so the job is reported as failed."""
    outcomes = [_run_one(config, Path(sweep_dir)) for config in configs]
    failed = [o for o in outcomes if o["status"] == "failed"]
    if failed:
        raise SweepJobError("; ".join(f"run {o['run_id']} failed: {o['error']}" for o in failed))
    return outcomes


def _run_one(mapping: dict[str, Any], sweep_dir: Path) -> dict[str, Any]:
    from cmrbench.training import RunConfig, run_benchmark

    config = RunConfig.from_mapping(mapping)
    run_id = Path(config.out).name
    step = checkpoint_step(Path(config.out))
    lead = _global_rank() == 0
    if lead:
        manifest.record_attempt(sweep_dir, run_id, step)
    try:
        run_benchmark(config, resume=step is not None, progress=False)
    except Exception as exc:  # noqa: BLE001 - recorded; the job's other runs still run
        traceback.print_exc(file=sys.stderr)
        error = f"{type(exc).__name__}: {exc}"
        if lead:
            manifest.record_end(sweep_dir, run_id, "failed", error)
        return {"run_id": run_id, "status": "failed", "error": error}
    if lead:
        manifest.record_end(sweep_dir, run_id, "finished")
    return {"run_id": run_id, "status": "finished", "resumed_from_step": step}


def checkpoint_step(run_dir: Path) -> int | None:
    """The training step of the run's last checkpoint, None when it has none."""
    path = run_dir / manifest.LAST_CHECKPOINT
    if not path.is_file():
        return None
    import torch

    checkpoint = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    return int(checkpoint["global_step"])


def ingest_shards(commands: list[list[str]]) -> list[str]:
    """``cmrbench ingest ... --shard I/N`` for each command line, in turn."""
    from cmrbench.cli import main

    for argv in commands:
        code = main(argv)
        if code != 0:
            raise SweepJobError(f"`cmrbench {' '.join(argv)}` exited with status {code}; its "
                                "output is in the job's log")
    return [argv[argv.index("--shard") + 1] for argv in commands]


def collect_results(sweep_dir: str) -> str:
    """Write OUT/results.csv (the job that runs after a SLURM array has ended)."""
    from cmrbench.sweeps.results import write_results

    return str(write_results(Path(sweep_dir)))


def _global_rank() -> int:
    try:
        return submitit.JobEnvironment().global_rank
    except RuntimeError:  # called outside a submitit job
        return 0
