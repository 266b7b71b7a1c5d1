"""Load a finished run: its resolved plan and its selected model, ready to run on pixels.

    run = load_run("runs/lvef")            # config.yaml + checkpoints/best.ckpt
    outputs, attention = run.model(clips, mask)

The model is always the pixel model (encoder -> attention pooling -> head), whatever the run
trained on: a run that learnt from cached features (``model.top.*`` in its checkpoint) gets
its encoder rebuilt from the configuration (the same weights file or seeded initialisation the
feature cache was computed with) and the checkpoint's projection put back into it. The
checkpoint is read without unpickling anything but tensors and plain containers.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from cmrbench.embedding import build_encoder
from cmrbench.files import sha256_file
from cmrbench.training.config import CONFIG_FILE, RunConfig
from cmrbench.training.model import StudyModel
from cmrbench.training.rundir import CHECKPOINTS, RESULT_FILE
from cmrbench.training.runner import Plan, RunError, plan_run
from cmrbench.weights import resolve_weights
from cmrbench.weights.safe_load import read_file

MODEL_PREFIX = "model."


@dataclass(frozen=True)
class FinishedRun:
    """A run directory loaded back: its plan (config, task, studies per role) and model."""

    path: Path
    plan: Plan
    model: StudyModel
    checkpoint: Path

    @property
    def config(self) -> RunConfig:
        return self.plan.config


def load_run(run_dir: Path | str, *, checkpoint: str = "best", store: Path | None = None
             ) -> FinishedRun:
    """The run in ``run_dir`` with its ``checkpoint`` ('best' or 'last', or a file name in
    ``checkpoints/``); ``store`` replaces the configured store (a run moved elsewhere)."""
    run_dir = Path(run_dir)
    config_file = run_dir / CONFIG_FILE
    if not config_file.is_file():
        raise RunError(f"{run_dir} is not a run directory: it has no {CONFIG_FILE} (pass the "
                       "folder `cmrbench run --out` wrote)")
    config = RunConfig.from_yaml(config_file)
    if store is not None:
        config = dataclasses.replace(config, store=Path(store))
    if not Path(config.store).is_dir():
        raise RunError(f"{run_dir}: its store {config.store} is not a directory here; pass the "
                       "store it was run on (--store STORE)")
    plan = plan_run(config)
    file = run_dir / CHECKPOINTS / (checkpoint if checkpoint.endswith(".ckpt")
                                    else f"{checkpoint}.ckpt")
    if not file.is_file():
        raise RunError(f"{run_dir}: no checkpoint {file.name} in {CHECKPOINTS}/ (finished runs "
                       "keep best.ckpt and last.ckpt)")
    model = _model(plan, _state_dict(file))
    _check_same_encoder(run_dir, plan)
    return FinishedRun(run_dir, plan, model.eval(), file)


def _state_dict(file: Path) -> dict[str, torch.Tensor]:
    content = read_file(file).content
    state = content.get("state_dict") if isinstance(content, dict) else None
    if not isinstance(state, dict):
        raise RunError(f"{file}: not a Lightning checkpoint of a cmrbench run (no state_dict)")
    return {key[len(MODEL_PREFIX):]: value for key, value in state.items()
            if key.startswith(MODEL_PREFIX)}


def _model(plan: Plan, state: dict[str, torch.Tensor]) -> StudyModel:
    """The pixel model with the checkpoint's weights; a cached-features checkpoint's ``top``
    projection goes back into the rebuilt encoder."""
    config = plan.config
    weights = resolve_weights(plan.encoder, config.weights) if config.weights else None
    encoder, _ = build_encoder(plan.encoder, weights, exclude=config.exclude,
                               initialisation=config.initialisation, seed=config.seed)
    model = StudyModel(plan.task, plan.encoder.embed_dim, encoder=encoder)
    cached = any(key.startswith("top.") for key in state)
    if cached:
        state = {("encoder." + key[len("top."):] if key.startswith("top.") else key): value
                 for key, value in state.items()}
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not (cached and k.startswith("encoder."))]
    if missing or result.unexpected_keys:
        raise RunError(f"the checkpoint does not fit the model of encoder {plan.encoder.name!r} "
                       f"and task {plan.task.name!r}: missing {missing[:5]}, unexpected "
                       f"{result.unexpected_keys[:5]}; was the run made with another version "
                       "of the encoder or task plugin?")
    return model


def _check_same_encoder(run_dir: Path, plan: Plan) -> None:
    """The run's recorded weights hash must match the file the configuration names now."""
    result = run_dir / RESULT_FILE
    if not result.is_file():
        return
    recorded = (json.loads(result.read_text()).get("provenance") or {}).get("weights_sha256")
    config = plan.config
    if recorded is None or not config.weights:
        return
    current = resolve_weights(plan.encoder, config.weights)
    digest = sha256_file(current.path)
    if digest != recorded:
        raise RunError(f"{run_dir}: the weights {config.weights!r} now have sha256 {digest[:12]}…"
                       f", but the run was made with {recorded[:12]}…; restore that file")

