"""Run contrastive pretraining: a video and a text encoder, a store -> a run directory.

    RUN_DIR/config.yaml        the resolved configuration (every default filled in)
    RUN_DIR/result.json        loss and validation retrieval per epoch, study counts, exports,
                               provenance and cost
    RUN_DIR/checkpoints/       every checkpoint_every epochs (epoch=E-step=S.ckpt) and last.ckpt
    RUN_DIR/logs/              CSV logs (TensorBoard too when it is installed)
    RUN_DIR/encoders/          video.safetensors and text.safetensors, the last state, as
                               cmrbench weight files (initialisation 'contrastive')

Studies are the card's ``pretrain`` role (training) and ``pretrain_val`` role (validation),
those with a report. Lightning's flags (accelerator, devices, nodes, precision, strategy) pass
straight through; under several processes the loss sees the global batch (see ``loss``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from cmrbench.cards import DatasetCard, load_card
from cmrbench.files import atomic_write, sha256_file
from cmrbench.pretraining.config import PretrainConfig
from cmrbench.pretraining.encoders import (
    BuiltEncoder,
    build_encoders,
    encoder_specs,
    resolve_frozen_layers,
)
from cmrbench.pretraining.export import EXPORT_DIR, export_encoders
from cmrbench.pretraining.loss import ContrastiveLoss
from cmrbench.pretraining.module import ContrastiveModule
from cmrbench.pretraining.pairs import PretrainingDataError, pair_dataset, pretraining_studies
from cmrbench.provenance import environment
from cmrbench.registry import Registry, get_registry
from cmrbench.splits import PRETRAIN_ROLES
from cmrbench.store import StudyStore
from cmrbench.store.index import INDEX_FILE
from cmrbench.training import rundir
from cmrbench.training.loaders import BagData
from cmrbench.training.preprocessing import preprocessing
from pytorch_lightning.callbacks import ModelCheckpoint

RESULT_FORMAT = "cmrbench-pretraining-result"
RESULT_VERSION = 1
LAST = "last"


@dataclass(frozen=True)
class PretrainPlan:
    """Everything resolved before training: the config, the card and the studies per role."""

    config: PretrainConfig
    card: DatasetCard
    studies: dict[str, list[str]]
    provenance: dict[str, Any]


def plan_pretraining(config: PretrainConfig, registry: Registry | None = None) -> PretrainPlan:
    """Resolve the dataset, card, encoders and frozen layers; read each role's studies."""
    registry = registry or get_registry()
    index = StudyStore(config.store).index
    dataset = config.dataset or _store_dataset(index, config.store)
    dataset_entry = registry.entry("dataset", dataset)
    card_file = config.card or dataset_entry.spec.card
    if card_file is None:
        raise PretrainingDataError(f"dataset {dataset!r} has no card; pass --card CARD.yaml")
    card = load_card(card_file)
    specs = encoder_specs(config, registry)
    config = resolve_frozen_layers(config.resolve(dataset), specs["text"])
    studies = {role: pretraining_studies(index, card.roles, role) for role in PRETRAIN_ROLES}
    patients = index.set_index("study_id")["patient_id"]
    provenance = {
        "store_index_sha256": sha256_file(Path(config.store) / INDEX_FILE),
        "split_sha256": card.split.sha256, "roles": card.roles.as_dict(),
        "card_path": str(card.path), "dataset": dataset,
        "studies": {role: {"studies": len(ids), "patients": int(patients[ids].nunique())}
                    for role, ids in studies.items()}}
    return PretrainPlan(config, card, studies, provenance)


def _store_dataset(index: Any, store: Path) -> str:
    names = sorted(set(index["dataset"])) if "dataset" in index.columns else []
    if len(names) != 1:
        raise PretrainingDataError(f"store {store} holds studies of {names or 'no named'} "
                                   "dataset(s); name the one whose card to use with --dataset")
    return str(names[0])


def trainer(config: PretrainConfig, progress: bool) -> pl.Trainer:
    """A Lightning trainer with the run's flags and loggers, keeping a checkpoint every
    ``checkpoint_every`` epochs (``epoch=E-step=S.ckpt``) and the latest as ``last.ckpt``."""
    folder = Path(config.out) / rundir.CHECKPOINTS
    periodic = ModelCheckpoint(dirpath=folder, every_n_epochs=config.checkpoint_every,
                               save_top_k=-1, save_last=config.checkpoint_every == 1,
                               enable_version_counter=False)
    callbacks = [periodic]
    if config.checkpoint_every > 1:  # Lightning refuses two checkpoint callbacks alike
        callbacks.append(ModelCheckpoint(dirpath=folder, filename=LAST, save_top_k=1,
                                         enable_version_counter=False))
    return pl.Trainer(
        **rundir.lightning_flags(config), max_steps=config.max_steps or -1,
        max_epochs=config.max_epochs if config.max_epochs is not None else -1,
        callbacks=callbacks, logger=rundir.loggers(config.out),
        enable_progress_bar=progress, enable_model_summary=False, num_sanity_val_steps=0,
        use_distributed_sampler=False, log_every_n_steps=1, default_root_dir=config.out,
        check_val_every_n_epoch=config.val_every)


def run_pretraining(config: PretrainConfig, *, registry: Registry | None = None,
                    resume: bool = False, progress: bool = True) -> dict[str, Any]:
    """Pretrain, export both encoders and write the run directory; returns the result record.

    A directory holding a finished run of the same configuration is returned as it is; one
    of another configuration is refused. ``resume`` continues from ``last.ckpt``.
    """
    started = time.perf_counter()
    plan = plan_pretraining(config, registry)
    config = plan.config
    finished = rundir.existing_result(config)
    if finished is not None:
        return finished
    fitter = trainer(config, progress)
    if fitter.is_global_zero:
        rundir.start(config, resume=resume)
    pl.seed_everything(config.seed, workers=True, verbose=False)
    encoders = build_encoders(config, registry=registry)
    data = _pairs(plan, encoders["video"])
    module = ContrastiveModule(
        encoders["video"].module, encoders["text"].module,
        ContrastiveLoss(config.loss_lambda, config.temperature, config.flood), lr=config.lr,
        weight_decay=config.weight_decay, eps=config.eps, lr_drop_at=config.lr_drop_at,
        lr_drop_factor=config.lr_drop_factor, seed=config.seed,
        cached_sentences=config.text_features == "cached-sentences")
    rundir.validate_within_budget(fitter, len(data.datasets["train"]), config.batch_size,
                                  config.max_steps)
    fit_started = time.perf_counter()
    fitter.fit(module, datamodule=data,
               ckpt_path=rundir.last_checkpoint(config) if resume else None)
    fit_seconds = time.perf_counter() - fit_started
    # the final state, wherever the budget ended (mid-epoch included): what is exported
    fitter.save_checkpoint(Path(config.out) / rundir.CHECKPOINTS / f"{LAST}.ckpt")
    if not fitter.is_global_zero:
        return {}
    exports = export_encoders({"video": module.video_encoder, "text": module.text_encoder},
                              config, Path(config.out), Path(config.out) / EXPORT_DIR,
                              checkpoint=f"{LAST}.ckpt", step=fitter.global_step)
    cost = rundir.cost(fitter, fit_seconds, time.perf_counter() - started,
                       videos=fitter.global_step * config.batch_size * fitter.world_size)
    return _finish(plan, module, fitter, encoders, exports, cost)


def _pairs(plan: PretrainPlan, video: BuiltEncoder) -> BagData:
    config = plan.config
    datasets = {
        name: pair_dataset(config.pairs, StudyStore(config.store), video.spec.input,
                           plan.studies[role], views=config.views, sentences=config.sentences,
                           train=name == "train", augment=config.augment, seed=config.seed)
        for name, role in (("train", "pretrain"), ("val", "pretrain_val"))}
    return BagData(datasets, config.batch_size, config.num_workers)


def _finish(plan: PretrainPlan, module: ContrastiveModule, fitter: pl.Trainer,
            encoders: dict[str, BuiltEncoder], exports: dict[str, Any],
            cost: dict[str, Any]) -> dict[str, Any]:
    """Write result.json; return the record."""
    config = plan.config
    folder = Path(config.out) / rundir.CHECKPOINTS
    final = {name: float(value) for name, value in fitter.callback_metrics.items()
             if name.startswith("train/") and name.endswith("_epoch")}
    result = {
        "format": RESULT_FORMAT, "version": RESULT_VERSION,
        "video_encoder": config.video_encoder, "text_encoder": config.text_encoder,
        "dataset": config.dataset,
        "loss": {"lambda": config.loss_lambda, "temperature": config.temperature,
                 "flood": config.flood},
        "training": {"steps": int(fitter.global_step), "epochs": int(fitter.current_epoch),
                     "last_epoch_metrics": final},
        "validation": {"by_epoch": {str(k): v for k, v in sorted(module.val_scores.items())}},
        "studies": {role: {**plan.provenance["studies"][role],
                           "pairs_per_epoch": len(dataset)}
                    for role, dataset in zip(PRETRAIN_ROLES, (
                        fitter.datamodule.datasets["train"], fitter.datamodule.datasets["val"]),
                        strict=True)},
        "checkpoints": sorted(p.name for p in folder.glob("*.ckpt")),
        "exports": exports,
        "provenance": {**environment(), **{k: v for k, v in plan.provenance.items()
                                           if k != "studies"},
                       "video": {**encoders["video"].provenance,
                                 "preprocessing": preprocessing(encoders["video"].spec.input)},
                       "text": encoders["text"].provenance,
                       "lightning": pl.__version__, "seed": config.seed},
        "cost": cost,
        "config": config.as_dict(),
    }
    with atomic_write(Path(config.out) / rundir.RESULT_FILE) as partial:
        partial.write_text(json.dumps(result, indent=2, default=str))
    return result
