"""Pretrained encoders as cmrbench weight files, loadable by ``--weights`` without conversion.

A pretraining run exports, from its last state, ``RUN_DIR/encoders/video.safetensors`` and
``RUN_DIR/encoders/text.safetensors``: each encoder's whole state dict (backbone, projection)
written by :func:`cmrbench.weights.save_weights`, whose header names the encoder, the
initialisation ``contrastive`` and the pretraining run (its directory, the sha256 of its
config.yaml, the checkpoint and step), so every downstream result that loads one says where it
came from. :func:`export_checkpoint` does the same for any checkpoint of a run (e.g. an
intermediate ``epoch0010.ckpt``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from cmrbench.files import sha256_file
from cmrbench.pretraining.config import CONFIG_FILE, PretrainConfig
from cmrbench.weights import WeightsError, read_checkpoint, save_weights
from cmrbench.weights.loading import PRETRAINING_PREFIX
from torch import nn

CONTRASTIVE = "contrastive"
EXPORT_DIR = "encoders"
FILES = {"video": "video.safetensors", "text": "text.safetensors"}
PREFIXES = {"video": "video_encoder.", "text": "text_encoder."}


def export_encoders(encoders: Mapping[str, nn.Module], config: PretrainConfig, run: Path,
                    out: Path, *, checkpoint: str, step: int) -> dict[str, dict[str, str]]:
    """Write ``encoders`` ({"video": ..., "text": ...}) of the pretraining run in ``run`` into
    ``out``; returns per encoder the file, its sha256 and the encoder's name."""
    run = Path(run)
    header = {"run": str(run.resolve()), "config_sha256": sha256_file(run / CONFIG_FILE),
              "checkpoint": checkpoint, "step": str(step),
              "video_encoder": config.video_encoder, "text_encoder": config.text_encoder,
              "video_weights": str(config.video_weights or "random"),
              "text_features": config.text_features}
    metadata = {PRETRAINING_PREFIX + key: value for key, value in header.items()}
    names = {"video": config.video_encoder, "text": config.text_encoder}
    exported = {}
    for kind, module in encoders.items():
        path = Path(out) / FILES[kind]
        digest = save_weights(module, path, encoder=names[kind], initialisation=CONTRASTIVE,
                              metadata=metadata)
        exported[kind] = {"path": str(path), "sha256": digest, "encoder": names[kind]}
    return exported


def export_paths(run_dir: Path) -> dict[str, Path]:
    """{"video": path, "text": path}: where a pretraining run in ``run_dir`` exports its
    encoders, whether or not it has yet."""
    return {kind: Path(run_dir) / EXPORT_DIR / name for kind, name in FILES.items()}


def exported_weights(run_dir: Path) -> dict[str, Path]:
    """{"video": path, "text": path} of the weight files a finished pretraining run exported
    (what ``cmrbench run --weights`` and ``--text-weights`` take)."""
    paths = export_paths(run_dir)
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{run_dir}: no exported encoders ({', '.join(missing)}); "
                                "finish the run (`cmrbench pretrain ... --resume`) or export a "
                                "checkpoint with `cmrbench export RUN_DIR`")
    return paths


def checkpoint_encoders(path: Path, encoders: Mapping[str, nn.Module]) -> int:
    """Load a pretraining checkpoint's encoder states into ``encoders`` (strictly, read without
    unpickling code); returns the checkpoint's global step."""
    checkpoint = read_checkpoint(path)
    for kind, module in encoders.items():
        prefix = PREFIXES[kind]
        state = {key[len(prefix):]: value for key, value in checkpoint.tensors.items()
                 if key.startswith(prefix)}
        if not state:
            raise WeightsError(f"{path}: holds no {kind} encoder (no key starts with "
                               f"{prefix!r}); is it a checkpoint of `cmrbench pretrain`?")
        try:
            module.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise WeightsError(f"{path}: its {kind} encoder does not fit the run's "
                               f"configuration: {exc}") from None
    return int(checkpoint.metadata.get("global_step", 0))


def export_checkpoint(run_dir: Path, checkpoint: str = "last.ckpt",
                      out: Path | None = None) -> dict[str, Any]:
    """Export the encoders of ``run_dir/checkpoints/<checkpoint>`` (default: the last one) into
    ``out`` (default ``run_dir/encoders``)."""
    from cmrbench.pretraining.encoders import build_encoders

    run_dir = Path(run_dir)
    config = PretrainConfig.from_yaml(run_dir / CONFIG_FILE)
    path = run_dir / "checkpoints" / checkpoint
    if not path.is_file():
        found = sorted(p.name for p in (run_dir / "checkpoints").glob("*.ckpt"))
        raise FileNotFoundError(f"{path}: no such checkpoint; the run has {found or 'none'}")
    encoders = build_encoders(config, weights=False)
    with torch.no_grad():
        step = checkpoint_encoders(path, {kind: e.module for kind, e in encoders.items()})
    return export_encoders({kind: e.module for kind, e in encoders.items()}, config, run_dir,
                           Path(out) if out else run_dir / EXPORT_DIR,
                           checkpoint=checkpoint, step=step)
