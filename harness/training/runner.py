"""Run one benchmark: an encoder, a dataset's store, a task and a mode -> a run directory.

The runner is generic: it resolves the plugins by name, asks the task for targets, head, loss
and metrics, and lets Lightning train (any accelerator, devices, nodes, precision, strategy).
Checkpoints are selected on the validation split with the task's primary metric; the test
split is evaluated once, with the selected checkpoint, each process taking a contiguous share
of the studies so that every test study is predicted exactly once.

A run directory (see :mod:`cmrbench.training.rundir`): ``config.yaml``, ``predictions.csv``,
``result.json``, ``checkpoints/`` and ``logs/``.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from cmrbench.cards import DatasetCard, load_card
from cmrbench.embedding import build_encoder
from cmrbench.files import sha256_file
from cmrbench.registry import Registry, get_registry
from cmrbench.specs import EncoderSpec, TaskSpec, VideoInput
from cmrbench.store import StudyStore
from cmrbench.store.index import INDEX_FILE
from cmrbench.task import Task, TaskError
from cmrbench.training import rundir
from cmrbench.training.batches import CachedBags, PixelBags, mean_bag_size
from cmrbench.training.config import RunConfig
from cmrbench.training.features import cached_features, feature_key
from cmrbench.training.loaders import BagData
from cmrbench.training.model import ProjectionTop, StudyModel, apply_mode, has_projection
from cmrbench.training.module import BenchmarkModule
from cmrbench.training.outputs import Rows, gather, predictions_table
from cmrbench.training.preprocessing import preprocessing
from cmrbench.training.studies import StudySet, role_studies
from cmrbench.training.zeroshot import run_zero_shot
from cmrbench.weights import resolve_weights
from torch import nn


class RunError(ValueError):
    """A run that cannot start as configured; the message names the problem and the fix."""


@dataclass(frozen=True)
class Plan:
    """Everything resolved before training: plugins, card, task, studies per role."""

    config: RunConfig
    encoder: EncoderSpec
    task_spec: TaskSpec
    task: Task
    card: DatasetCard
    studies: dict[str, StudySet]
    provenance: dict[str, Any]


def plan_run(config: RunConfig, registry: Registry | None = None) -> Plan:
    """Resolve names, check compatibility, read the studies of each role and fit the task."""
    registry = registry or get_registry()
    encoder_entry = registry.entry("encoder", config.encoder)
    dataset_entry = registry.entry("dataset", config.dataset)
    task_entry = registry.entry("task", config.task)
    spec, task_spec = encoder_entry.spec, task_entry.spec
    if not isinstance(spec.input, VideoInput):
        raise RunError(f"encoder {spec.name!r} is a {spec.modality} encoder; a benchmark run "
                       "needs a video encoder")
    card_file = config.card or dataset_entry.spec.card
    if card_file is None:
        raise RunError(f"dataset {config.dataset!r} has no card; pass card: CARD.yaml")
    card = load_card(card_file)
    if config.dataset not in task_spec.datasets and task_spec.name not in card.tasks:
        raise RunError(f"task {task_spec.name!r} is not declared for dataset {config.dataset!r}: "
                       f"the task lists {list(task_spec.datasets)} and the card lists tasks "
                       f"{list(card.tasks)}; add the task to the card's tasks to run it")
    if config.mode not in task_spec.protocols:
        raise RunError(f"task {task_spec.name!r} supports modes {list(task_spec.protocols)}, "
                       f"not {config.mode!r}")
    try:
        task = task_spec.build(card, **config.task_options)
    except TypeError as exc:
        raise RunError(f"task {task_spec.name!r} options {config.task_options}: {exc}") from None
    config = config.resolve(task.defaults)
    store = StudyStore(config.store)
    studies = {role: role_studies(store.index, card.roles, task, role,
                                  fraction=config.fraction, fraction_seed=config.fraction_seed)
               for role in ("train", "val", "test")}
    task.fit(studies["train"].targets)
    provenance = {
        "encoder_plugin": _plugin(encoder_entry), "dataset_plugin": _plugin(dataset_entry),
        "task_plugin": _plugin(task_entry), "store_index_sha256": sha256_file(
            Path(config.store) / INDEX_FILE),
        "split_sha256": card.split.sha256, "roles": card.roles.as_dict(),
        "card_path": str(card.path)}
    return Plan(config, spec, task_spec, task, card, studies, provenance)


def run_benchmark(config: RunConfig, *, registry: Registry | None = None,
                  resume: bool = False, progress: bool = True) -> dict[str, Any]:
    """Train, select, evaluate and write the run directory; returns the result record.

    A directory that already holds a finished run of the same configuration is returned as
    it is; one with a different configuration is refused. ``resume`` continues an
    interrupted fit from its last checkpoint.
    """
    started = time.perf_counter()
    plan = plan_run(config, registry)
    finished = rundir.existing_result(plan.config)
    if finished is not None:
        return finished
    if plan.config.mode == "zeroshot":
        return run_zero_shot(plan, registry=registry, progress=progress, started=started)
    trainer, selector = rundir.trainer(plan.config, plan.task_spec, progress)
    if trainer.is_global_zero:
        rundir.start(plan.config, resume=resume)
    pl.seed_everything(plan.config.seed, workers=True, verbose=False)
    model, data, weights, cache_key = _assemble(plan, trainer, progress)
    module = BenchmarkModule(model, plan.task, plan.studies["val"], lr=plan.config.lr,
                             weight_decay=plan.config.weight_decay, seed=plan.config.seed,
                             primary=plan.task_spec.primary_metric,
                             higher_is_better=plan.task_spec.higher_is_better)
    rundir.validate_within_budget(trainer, len(plan.studies["train"]), plan.config.batch_size,
                                  plan.config.max_steps)
    fit_started = time.perf_counter()
    trainer.fit(module, datamodule=data,
                ckpt_path=rundir.last_checkpoint(plan.config) if resume else None)
    fit_seconds = time.perf_counter() - fit_started
    # predicting with the selected checkpoint loads its state, scores of later epochs absent
    val_scores = dict(module.val_scores)
    rows = gather(Rows.concat(trainer.predict(module, datamodule=data,
                                              ckpt_path=selector.best_model_path or None)))
    if not trainer.is_global_zero:
        return {}
    table = predictions_table(plan.task, plan.studies["test"], rows)
    cost = rundir.cost(trainer, fit_seconds, time.perf_counter() - started,
                       videos=mean_bag_size(data.datasets["train"]) * trainer.global_step
                       * data.batch_size * trainer.world_size)
    provenance = {**plan.provenance, **weights, "feature_cache_key": cache_key,
                  "preprocessing": preprocessing(plan.encoder.input),
                  "seed": plan.config.seed}
    return rundir.finish(plan, table, val_scores, selector, provenance, cost)


def _plugin(entry: Any) -> dict[str, str]:
    provider = entry.provider
    return {"name": entry.name, "plugin": provider.plugin, "distribution": provider.distribution,
            "version": provider.version}


def _assemble(plan: Plan, trainer: pl.Trainer, progress: bool
              ) -> tuple[StudyModel, BagData, dict[str, Any], str | None]:
    """The model, the data, the weights' provenance and the feature cache key."""
    config, spec = plan.config, plan.encoder
    resolved = resolve_weights(spec, config.weights) if config.weights else None
    encoder, weights = build_encoder(spec, resolved, exclude=config.exclude,
                                     initialisation=config.initialisation, seed=config.seed)
    if config.mode == "finetune" and not has_projection(encoder):
        raise RunError(f"finetune trains the last linear layer of encoder {spec.name!r}, which "
                       "exposes no features() and .projection; use linear or transfer")
    if config.mode in ("linear", "finetune") and config.feature_cache:
        parts = {"encoder": spec.name, "plugin": plan.provenance["encoder_plugin"],
                 "weights": weights, "exclude": list(config.exclude),
                 "what": "features" if has_projection(encoder) else "embeddings",
                 "preprocessing": preprocessing(spec.input),
                 "store_index_sha256": plan.provenance["store_index_sha256"]}
        cache_dir = config.cache_dir or Path(config.store) / "feature-cache"
        features = _shared_features(cache_dir, parts, spec, encoder, config, trainer, progress)
        top = (ProjectionTop(copy.deepcopy(encoder.projection)) if has_projection(encoder)
               else nn.Identity())
        model = StudyModel(plan.task, spec.embed_dim, top=top)
        datasets = {role: CachedBags(features, plan.studies[role], _policy(config, role),
                                     config.seed) for role in plan.studies}
        # cached features are in memory already: worker processes would only copy them
        data, key = BagData(datasets, config.batch_size, 0), features.key
    else:
        model = StudyModel(plan.task, spec.embed_dim, encoder=encoder)
        datasets = {role: PixelBags(config.store, spec.input, plan.studies[role],
                                    _policy(config, role), config.seed,
                                    train=role == "train", augment=config.augment)
                    for role in plan.studies}
        data, key = BagData(datasets, config.batch_size, config.num_workers), None
    model.train()
    apply_mode(model, config.mode)
    return model, data, weights, key


def _shared_features(cache_dir: Path, parts: dict[str, Any], spec: EncoderSpec,
                     encoder: nn.Module, config: RunConfig, trainer: pl.Trainer,
                     progress: bool) -> Any:
    """The cache entry; under multi-process launch only each node's first process computes
    it, the others wait for it to appear."""
    if trainer.local_rank != 0:
        entry = Path(cache_dir) / feature_key(parts) / "key.json"
        while not entry.exists():
            time.sleep(2)
    device = "cuda" if torch.cuda.is_available() and config.accelerator in ("auto", "gpu",
                                                                             "cuda") else "cpu"
    return cached_features(cache_dir, parts, spec, encoder, config.store,
                           batch_size=config.batch_size, device=device,
                           workers=config.num_workers, features=parts["what"] == "features",
                           progress=progress)


def _policy(config: RunConfig, role: str) -> str:
    return config.views if role == "train" else config.eval_views


def check_runnable(config: RunConfig) -> None:
    """Fail early, with the fix, on configurations that cannot run at all."""
    if not Path(config.store).is_dir():
        raise RunError(f"store {config.store} is not a directory; create it with "
                       "`cmrbench ingest DATASET SRC --out STORE`")


__all__ = ["Plan", "RunError", "TaskError", "check_runnable", "plan_run", "run_benchmark"]
