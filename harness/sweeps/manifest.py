"""The sweep folder, what it holds and how each piece is written (atomically):

    OUT/plan.json           every run of the grid: its ID, grid values and resolved config
    OUT/runs/<run_id>/      each run's directory (cmrbench.training.rundir)
    OUT/status/<run_id>.json  the sweep's record of a run: attempts, resumed from, failure
    OUT/jobs/               submitit's folder: job scripts, pickles and logs
    OUT/submitted.json      SLURM job IDs by run ID (so a re-run never submits a queued run)
    OUT/results.csv         one row per run (cmrbench.sweeps.results)

This module imports no Lightning: the collect step and ``cmrbench submit`` read it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

from cmrbench.files import atomic_write

PLAN_FILE = "plan.json"
PLAN_FORMAT = "cmrbench-sweep-plan"
STATUS_DIR = "status"
JOBS_DIR = "jobs"
SUBMITTED_FILE = "submitted.json"
RESULTS_FILE = "results.csv"
RUN_RESULT, LAST_CHECKPOINT = "result.json", Path("checkpoints") / "last.ckpt"
HASH_LENGTH = 16


def config_hash(config: dict[str, Any]) -> str:
    """A run's ID: sha256 of its resolved configuration (``RunConfig.as_dict()``) without
    ``out``, the directory the ID names."""
    fields = {k: v for k, v in config.items() if k != "out"}
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def write_json(path: Path, data: Any) -> None:
    with atomic_write(path) as partial:
        partial.write_text(json.dumps(data, indent=2, sort_keys=False, default=str))


def read_json(path: Path, default: Any = None) -> Any:
    path = Path(path)
    return json.loads(path.read_text()) if path.is_file() else default


def write_plan(out: Path, grid: Path, runs: list[dict[str, Any]]) -> None:
    """``runs``: {"run_id", "axes", "config"} per run, in grid order."""
    write_json(Path(out) / PLAN_FILE, {"format": PLAN_FORMAT, "version": 1, "grid": str(grid),
                                       "runs": runs})


def read_plan(out: Path) -> list[dict[str, Any]]:
    plan = read_json(Path(out) / PLAN_FILE)
    if plan is None or plan.get("format") != PLAN_FORMAT:
        raise FileNotFoundError(f"{Path(out) / PLAN_FILE} is missing or not a sweep plan: run "
                                "`cmrbench sweep GRID.yaml` first")
    return plan["runs"]


def status_path(out: Path, run_id: str) -> Path:
    return Path(out) / STATUS_DIR / f"{run_id}.json"


def read_status(out: Path, run_id: str) -> dict[str, Any]:
    return read_json(status_path(out, run_id), {})


def record_attempt(out: Path, run_id: str, resumed_from_step: int | None) -> None:
    """A job starts the run (resuming from a checkpoint at ``resumed_from_step``, if any)."""
    status = read_status(out, run_id)
    write_json(status_path(out, run_id), {
        "run_id": run_id, "status": "running", "attempts": status.get("attempts", 0) + 1,
        "resumed_from_step": resumed_from_step, "error": None, "updated": _now()})


def record_end(out: Path, run_id: str, status: str, error: str | None = None) -> None:
    record = read_status(out, run_id)
    write_json(status_path(out, run_id), {**record, "run_id": run_id, "status": status,
                                          "error": error, "updated": _now()})


def run_state(out: Path, run_id: str, run_dir: Path) -> str:
    """finished (result.json written), failed (the last attempt raised), incomplete (started,
    no result: killed, timed out or still running) or not-started."""
    if (Path(run_dir) / RUN_RESULT).is_file():
        return "finished"
    status = read_status(out, run_id).get("status")
    if status == "failed":
        return "failed"
    if status is not None or (Path(run_dir) / LAST_CHECKPOINT).is_file():
        return "incomplete"
    return "not-started"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
