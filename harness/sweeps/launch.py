"""One `cmrbench sweep` invocation: expand the grid, leave finished runs alone, submit the
rest (a run with a checkpoint resumes from it), and write results.csv.

With the local executor the command waits for its jobs and writes results.csv itself; with
SLURM it submits the array and a small job that writes results.csv once the array has ended,
and returns. Runs whose SLURM job is still queued or running are never submitted twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cmrbench.ingest.shards import Shard
from cmrbench.sweeps import executors, manifest
from cmrbench.sweeps.expand import PlannedRun, describe, expand
from cmrbench.sweeps.grid import IngestGrid, RunGrid
from cmrbench.sweeps.jobs import RunJob, collect_results, ingest_shards
from cmrbench.sweeps.options import ExecutorOptions
from cmrbench.sweeps.results import write_results
from submitit.core.utils import FailedJobError, UncompletedJobError
from tqdm import tqdm

Echo = Callable[[str], None]
WAIT_S = 1.0


def sweep_runs(grid: RunGrid, options: ExecutorOptions, *, dry_run: bool = False,
               progress: bool = True, echo: Echo = print) -> int:
    """Run the grid's unfinished runs; returns the exit status (0 when nothing failed)."""
    runs = expand(grid, options.run_fields())
    states = {run.run_id: manifest.run_state(grid.out, run.run_id, run.config.out)
              for run in runs}
    queued = _queued(grid.out, options, [r.run_id for r in runs
                                         if states[r.run_id] != "finished"], echo)
    todo = [run for run in runs if states[run.run_id] != "finished" and run.run_id not in queued]
    echo(_run_table(runs, states, queued))
    name = f"cmrbench-{grid.path.stem}"
    if dry_run:
        return _preview(grid.out, options, name, len(todo), echo)
    manifest.write_plan(grid.out, grid.path, [{"run_id": r.run_id, "axes": r.axes,
                                               "config": r.config.as_dict()} for r in runs])
    if not todo:
        echo(f"nothing to run: {len(runs) - len(queued)} run(s) finished, {len(queued)} queued")
        _results(grid.out, echo)
        return 0
    configs = [run.config.as_dict() for run in todo]
    if options.executor == "slurm":
        jobs = _submit_slurm(grid.out, options, name, RunJob(), configs, [r.run_id for r in todo],
                             str(grid.out), echo=echo)
        collect = executors.submit_slurm_job(
            grid.out / manifest.JOBS_DIR,
            executors.collect_parameters(options, name, jobs[0].job_id.split("_")[0]),
            collect_results, str(grid.out))
        echo(f"results.csv: {grid.out / manifest.RESULTS_FILE}, written by job "
             f"{collect.job_id} once the array has ended")
        return 0
    jobs = executors.submit_local(grid.out / manifest.JOBS_DIR, options, RunJob(), configs,
                                  str(grid.out))
    finished = _wait(jobs, lambda: sum(manifest.run_state(grid.out, r.run_id, r.config.out)
                                       in ("finished", "failed") for r in todo),
                     len(todo), progress, echo)
    _results(grid.out, echo)
    return 0 if finished else 1


def sweep_ingest(grid: IngestGrid, options: ExecutorOptions, *, dry_run: bool = False,
                 progress: bool = True, echo: Echo = print) -> int:
    """Ingest the shards whose report is missing, as an array (SLURM) or local jobs."""
    def done(index: int) -> bool:
        return Shard(index, grid.shards).report_path(grid.store).is_file()

    pending = [i for i in range(grid.shards) if not done(i)]
    queued = _queued(grid.out, options, [f"shard-{i}" for i in pending], echo)
    todo = [i for i in pending if f"shard-{i}" not in queued]
    for index in range(grid.shards):
        state = "done" if done(index) else "queued" if index not in todo else "to run"
        echo(f"shard {index}/{grid.shards}  {state:8}  cmrbench {' '.join(grid.argv(index))}")
    name = f"cmrbench-ingest-{grid.dataset}"
    if dry_run:
        return _preview(grid.out, options, name, len(todo), echo)
    if not todo:
        echo(f"nothing to run: {grid.shards - len(queued)} shard(s) done, {len(queued)} queued;"
             f" store: {grid.store}")
        return 0
    commands = [grid.argv(i) for i in todo]
    if options.executor == "slurm":
        _submit_slurm(grid.out, options, name, ingest_shards, commands,
                      [f"shard-{i}" for i in todo], echo=echo)
        return 0
    jobs = executors.submit_local(grid.out / manifest.JOBS_DIR, options, ingest_shards,
                                  commands)
    finished = _wait(jobs, lambda: sum(done(i) for i in todo), len(todo), progress, echo)
    echo(f"store: {grid.store} (report: {grid.store / 'ingest_report.json'})")
    return 0 if finished else 1


def _queued(out: Path, options: ExecutorOptions, keys: list[str], echo: Echo
            ) -> dict[str, str]:
    """Of ``keys``, those whose SLURM job (from an earlier invocation) has not ended."""
    submitted = manifest.read_json(out / manifest.SUBMITTED_FILE, {})
    mine = {key: submitted[key] for key in keys if key in submitted}
    if options.executor != "slurm" or not mine:
        return {}
    active = executors.active_jobs(mine)
    unknown = sorted(key for key, state in active.items() if state == "UNKNOWN")
    if unknown:
        echo(f"sacct cannot say whether the jobs of {unknown} have ended, so they are not "
              f"submitted again; if they have, delete {out / manifest.SUBMITTED_FILE} and run "
              "this command again")
    return active


def _submit_slurm(out: Path, options: ExecutorOptions, name: str, fn: Callable[..., Any],
                  items: Sequence[Any], keys: list[str], *extra: Any, echo: Echo) -> list[Any]:
    parameters = executors.slurm_parameters(options, name)
    jobs = executors.submit_slurm(out / manifest.JOBS_DIR, parameters, fn, items, *extra)
    submitted = manifest.read_json(out / manifest.SUBMITTED_FILE, {})
    submitted.update({key: job.job_id for key, job in zip(keys, jobs, strict=True)})
    manifest.write_json(out / manifest.SUBMITTED_FILE, submitted)
    echo(f"submitted {len(jobs)} task(s) as SLURM job {jobs[0].job_id.split('_')[0]} "
         f"(logs: {out / manifest.JOBS_DIR})")
    return jobs


def _wait(jobs: list[Any], count: Callable[[], int], total: int, progress: bool,
          echo: Echo) -> bool:
    """Wait for the local jobs, showing how many items have ended; True when none failed."""
    with tqdm(total=total, desc="sweep", unit="item", disable=not progress or None) as bar:
        while not all(job.done() for job in jobs):
            bar.update(count() - bar.n)
            time.sleep(WAIT_S)
        bar.update(count() - bar.n)
    failed = False
    for job in jobs:
        try:
            job.result()
        except (FailedJobError, UncompletedJobError) as exc:
            failed = True
            echo(f"job {job.job_id} failed (log: {job.paths.stderr}): "
                 f"{str(exc).strip().splitlines()[-1]}")
    return not failed


def _results(out: Path, echo: Echo) -> None:
    echo(f"results: {write_results(out)}")


def _preview(out: Path, options: ExecutorOptions, name: str, count: int, echo: Echo) -> int:
    if options.executor == "local":
        echo(f"dry run: {count} item(s) would run in {min(options.workers, count)} local "
             "job(s)")
        return 0
    parameters = executors.slurm_parameters(options, name)
    echo(f"dry run: {count} item(s) would be submitted as "
         f"{'one job array' if count > 1 else 'one job'}; its sbatch script:")
    echo(executors.sbatch_script(out / manifest.JOBS_DIR, parameters, max(count, 1)))
    return 0


def _run_table(runs: list[PlannedRun], states: dict[str, str], queued: dict[str, str]) -> str:
    labels = {"finished": "finished", "failed": "retry", "incomplete": "resume",
              "not-started": "new"}
    lines = [f"{len(runs)} run(s):"]
    for run in runs:
        state = (f"queued ({queued[run.run_id]})" if run.run_id in queued
                 else labels[states[run.run_id]])
        lines.append(f"  {run.run_id}  {state:9} {describe(run.axes)}")
    return "\n".join(lines)
