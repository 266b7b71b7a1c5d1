"""results.csv: one row per run of a sweep, what `cmrbench submit` takes whole.

Columns: ``run_id``, ``status`` (finished, failed, incomplete, not-started), the run's
configuration (dataset, task, task_options as JSON, mode, encoder, weights, fraction,
fraction_seed, seed, then any other field the grid varies), ``initialisation``, the primary
metric (``metric``, ``value``, ``lower``, ``upper``, ``interval`` method, ``test_studies``),
``run_dir``, ``attempts``, ``resumed_from_step`` and ``error``. Read from the run directories
and the sweep's records; no Lightning is imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from cmrbench.files import atomic_write
from cmrbench.sweeps import manifest

IDENTITY = ("dataset", "task", "task_options", "mode", "encoder", "weights", "fraction",
            "fraction_seed", "seed")
METRIC = ("initialisation", "metric", "value", "lower", "upper", "interval", "test_studies")
RECORD = ("run_dir", "attempts", "resumed_from_step", "error")
STATES = ("finished", "failed", "incomplete", "not-started")


class ResultsError(ValueError):
    """A results.csv that cannot be read; the message names the file and the problem."""


def write_results(sweep_dir: Path) -> Path:
    """Write OUT/results.csv from OUT/plan.json and the run directories; return its path."""
    path = Path(sweep_dir) / manifest.RESULTS_FILE
    with atomic_write(path) as partial:
        results_table(sweep_dir).to_csv(partial, index=False)
    return path


def results_table(sweep_dir: Path) -> pd.DataFrame:
    runs = manifest.read_plan(sweep_dir)
    axes = [name for run in runs for name in run["axes"]]
    extra = [name for name in dict.fromkeys(axes) if name not in IDENTITY]
    columns = ["run_id", "status", *IDENTITY, *extra, *METRIC, *RECORD]
    rows = [_row(Path(sweep_dir), run, extra) for run in runs]
    return pd.DataFrame(rows, columns=columns)


def read_results(path: Path) -> pd.DataFrame:
    """A results.csv as written by :func:`write_results` (a clear error otherwise)."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read it as a sweep's results.csv: {exc}") from None
    missing = [c for c in ("run_id", "status", *IDENTITY, "run_dir") if c not in table.columns]
    if missing:
        raise ResultsError(f"{path}: not a sweep's results.csv: it lacks column(s) {missing} "
                           "(write it with `cmrbench sweep GRID.yaml --collect`)")
    return table


def _row(sweep_dir: Path, run: dict[str, Any], extra: list[str]) -> dict[str, Any]:
    config, run_id = run["config"], run["run_id"]
    run_dir = Path(config["out"])
    status = manifest.read_status(sweep_dir, run_id)
    row = {"run_id": run_id, "status": manifest.run_state(sweep_dir, run_id, run_dir),
           **{name: _cell(config.get(name)) for name in (*IDENTITY, *extra)},
           "run_dir": str(run_dir), "attempts": status.get("attempts", 0),
           "resumed_from_step": status.get("resumed_from_step"), "error": status.get("error")}
    if row["status"] == "finished":
        row.update(_metric(json.loads((run_dir / manifest.RUN_RESULT).read_text())))
    return row


def _metric(result: dict[str, Any]) -> dict[str, Any]:
    name = result["primary_metric"]["name"]
    metric = result["metrics"].get(name, {})
    return {"initialisation": result.get("provenance", {}).get("initialisation"),
            "metric": name, "value": metric.get("value"), "lower": metric.get("lower"),
            "upper": metric.get("upper"), "interval": metric.get("method"),
            "test_studies": result.get("studies", {}).get("test", {}).get("studies")}


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value
