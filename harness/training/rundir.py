"""The run directory, the unit of evidence: what it holds and how it is written.

    RUN_DIR/config.yaml        the resolved configuration (every default filled in)
    RUN_DIR/predictions.csv    one row per test study (format: cmrbench.predictions)
    RUN_DIR/result.json        metrics with intervals, per-epoch validation scores, study counts,
                               the task's fitted statistics, provenance and cost
    RUN_DIR/checkpoints/       best.ckpt (selected on validation), last.ckpt (for --resume)
    RUN_DIR/logs/              CSV logs (and TensorBoard event files when it is installed)

Only the global-rank-zero process writes; every write is atomic.
"""

from __future__ import annotations

import importlib.util
import json
import resource
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytorch_lightning as pl
import torch
import yaml
from cmrbench.files import atomic_write
from cmrbench.predictions import FILE_NAME, read_predictions, write_predictions
from cmrbench.provenance import environment
from cmrbench.specs import TaskSpec
from cmrbench.training.config import CONFIG_FILE, RunConfig
from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger

RESULT_FILE = "result.json"
RESULT_FORMAT = "cmrbench-result"
RESULT_VERSION = 1
CHECKPOINTS = "checkpoints"


class RunDirectoryError(ValueError):
    """The run directory holds something else; the message says what and what to do."""


def existing_result(config: RunConfig) -> dict[str, Any] | None:
    """The result of a finished run of this very configuration in ``config.out``, if any."""
    result = Path(config.out) / RESULT_FILE
    if not result.exists():
        return None
    stored = json.loads(result.read_text())
    if stored.get("config") != config.as_dict():
        raise RunDirectoryError(f"{config.out} holds a finished run of another configuration; "
                                "choose a new --out (or delete that directory)")
    return stored


def start(config: RunConfig, *, resume: bool) -> None:
    """Claim ``config.out`` for this run: save the resolved config (refusing a different one)."""
    out = Path(config.out)
    saved = out / CONFIG_FILE
    if saved.exists():
        if yaml.safe_load(saved.read_text()) != config.as_dict():
            raise RunDirectoryError(f"{out} holds a run of another configuration (its "
                                    f"{CONFIG_FILE} differs); choose a new --out")
        if not resume and (out / CHECKPOINTS / "last.ckpt").exists():
            raise RunDirectoryError(f"{out} holds an interrupted run of this configuration; "
                                    "pass --resume to continue it, or choose a new --out")
    out.mkdir(parents=True, exist_ok=True)
    config.save(saved)


def last_checkpoint(config: RunConfig) -> str | None:
    path = Path(config.out) / CHECKPOINTS / "last.ckpt"
    return str(path) if path.exists() else None


def trainer(config: RunConfig, task: TaskSpec, progress: bool
            ) -> tuple[pl.Trainer, ModelCheckpoint]:
    """A Lightning trainer with the run's flags, checkpoint selection and loggers."""
    selector = ModelCheckpoint(dirpath=Path(config.out) / CHECKPOINTS, filename="best",
                               monitor=f"val/{task.primary_metric}",
                               mode="max" if task.higher_is_better else "min", save_top_k=1,
                               save_last=True, enable_version_counter=False)
    return pl.Trainer(
        **lightning_flags(config), max_steps=config.max_steps or -1,
        max_epochs=config.max_epochs if config.max_epochs is not None else (
            -1 if config.max_steps else None),
        callbacks=[selector], logger=loggers(config.out), enable_progress_bar=progress,
        enable_model_summary=False, num_sanity_val_steps=0, use_distributed_sampler=False,
        log_every_n_steps=1, default_root_dir=config.out, deterministic=False,
        check_val_every_n_epoch=config.val_every,
    ), selector


def lightning_flags(config: Any) -> dict[str, Any]:
    """The flags that pass straight to Lightning: accelerator, devices, nodes, precision and
    strategy (``devices`` as a count when it is one)."""
    devices: Any = int(config.devices) if str(config.devices).isdigit() else config.devices
    return {"accelerator": config.accelerator, "devices": devices,
            "num_nodes": config.num_nodes, "precision": config.precision,
            "strategy": config.strategy}


def loggers(out: Path) -> list[Any]:
    """CSV logs in ``out/logs`` (and TensorBoard event files when it is installed)."""
    found: list[Any] = [CSVLogger(out, name="logs", version="")]
    if importlib.util.find_spec("tensorboard") is not None:
        found.append(TensorBoardLogger(out, name="logs", version=""))
    return found


def validate_within_budget(trainer: pl.Trainer, n_train: int, batch_size: int,
                           max_steps: int | None) -> None:
    """Validation runs at the end of each epoch: a step budget shorter than one epoch becomes
    the epoch's length, so the budget still ends in a validation (and a selected checkpoint)."""
    per_epoch = -(-n_train // (batch_size * trainer.world_size))
    if max_steps and 0 < max_steps < per_epoch:
        trainer.limit_train_batches = max_steps


def cost(trainer: pl.Trainer, fit_seconds: float, total_seconds: float,
         videos: float) -> dict[str, Any]:
    """What the run cost: wall time, device-hours, peak memory and training clips/s."""
    devices = trainer.num_devices * trainer.num_nodes
    on_gpu = torch.cuda.is_available() and trainer.strategy.root_device.type == "cuda"
    return {"wall_seconds": round(total_seconds, 3), "fit_seconds": round(fit_seconds, 3),
            "device": "gpu" if on_gpu else "cpu", "devices": devices,
            "device_hours": round(total_seconds * devices / 3600, 6),
            "peak_memory_bytes": peak_memory(on_gpu), "steps": int(trainer.global_step),
            "train_videos_per_second": round(videos / fit_seconds, 3) if fit_seconds else None}


def peak_memory(on_gpu: bool) -> int:
    """Peak GPU memory allocated, or the process's peak resident memory, in bytes."""
    if on_gpu:
        return int(torch.cuda.max_memory_allocated())
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (
        1 if sys.platform == "darwin" else 1024))


def finish(plan: Any, table: pd.DataFrame, val_scores: dict[int, float],
           selector: ModelCheckpoint | None, provenance: dict[str, Any],
           cost: dict[str, Any]) -> dict[str, Any]:
    """Write predictions.csv and result.json; return the result record (``selector`` is
    None where nothing trained: the zeroshot mode)."""
    config, task = plan.config, plan.task
    out = Path(config.out)
    header = {"task": config.task, "dataset": config.dataset,
              "split_sha256": provenance["split_sha256"],
              "store_index_sha256": provenance["store_index_sha256"], "encoder": config.encoder,
              "initialisation": provenance.get("initialisation"), "mode": config.mode,
              "fraction": config.fraction, "seed": config.seed}
    digest = write_predictions(out / FILE_NAME, table, header)
    table = read_predictions(out / FILE_NAME).table  # score exactly what a leaderboard reads
    result = {
        "format": RESULT_FORMAT, "version": RESULT_VERSION,
        "task": config.task, "dataset": config.dataset, "encoder": config.encoder,
        "mode": config.mode, "fraction": config.fraction,
        "primary_metric": {"name": plan.task_spec.primary_metric,
                           "higher_is_better": plan.task_spec.higher_is_better},
        "metrics": {name: m.as_dict() for name, m in task.metrics(table).items()},
        "details": task.details(table),
        "validation": {"scores_by_epoch": {str(k): v for k, v in sorted(val_scores.items())},
                       "selected_checkpoint": (Path(selector.best_model_path).name or None)
                       if selector else None,
                       "selected_score": _float(selector.best_model_score) if selector
                       else None},
        "studies": {role: s.summary() for role, s in plan.studies.items()},
        "task_statistics": task.stats,
        "predictions": {"file": FILE_NAME, "sha256": digest, "rows": len(table)},
        "provenance": {**environment(), **_versions(), **provenance},
        "cost": cost,
        "config": config.as_dict(),
    }
    with atomic_write(out / RESULT_FILE) as partial:
        partial.write_text(json.dumps(result, indent=2, sort_keys=False, default=str))
    return result


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _versions() -> dict[str, str]:
    import numpy

    return {"lightning": pl.__version__, "numpy": numpy.__version__, "pandas": pd.__version__}


def world() -> tuple[int, int]:
    """(world size, global rank) of this process, (1, 0) outside distributed training."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    return 1, 0
