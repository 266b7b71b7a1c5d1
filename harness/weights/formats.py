"""Recognise the layout of a weights file and reduce it to one flat state dict.

Each format is a layout users actually bring; detection looks at the container and its top-level
keys only, so a new format is one entry in :data:`FORMATS` and one branch in :func:`detect`.
Prefixes inside the state dict ('model.', 'video_encoder.', 'module.') are not stripped here:
``align`` finds the prefix that fits the module being loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from cmrbench.weights.errors import WeightsError
from cmrbench.weights.safe_load import RawWeights, read_file

FORMATS = {
    "cmrbench": "a safetensors file written by cmrbench's save_weights (encoder and "
                "initialisation named in its metadata)",
    "safetensors": "any other safetensors file, e.g. a Hugging Face model.safetensors",
    "torchvision-kinetics400": "a torchvision video model's state dict, with its 400-class "
                               "Kinetics classifier ('head.1.*' for MViT, 'fc.*' for ResNets)",
    "pytorchvideo": "a pytorchvideo / SlowFast checkpoint: {'model_state': state dict, ...}",
    "lightning": "a Lightning checkpoint: {'state_dict': ..., 'epoch': ..., ...}",
    "state-dict": "a plain torch.save'd state dict (parameter name -> tensor)",
}
FORMAT_KEY = "cmrbench_format"
FORMAT_VERSION = "1"
KINETICS_CLASSES = 400
_KINETICS_CLASSIFIERS = ("head.1.weight", "fc.weight")
_LIGHTNING_FACTS = ("epoch", "global_step", "pytorch-lightning_version")


@dataclass(frozen=True)
class Checkpoint:
    """A weights file reduced to its tensors: what ``load_weights`` aligns with a module."""

    path: Path
    format: str
    tensors: dict[str, torch.Tensor]
    metadata: dict[str, str] = field(default_factory=dict)


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read ``path`` safely and reduce it to its format and flat state dict; loads nothing."""
    return detect(read_file(path))


def detect(raw: RawWeights) -> Checkpoint:
    """Name the layout of ``raw`` and pull out its state dict; unknown layouts raise."""
    if raw.container == "safetensors":
        kind = "cmrbench" if raw.metadata.get(FORMAT_KEY) else "safetensors"
        return Checkpoint(raw.path, kind, _tensors(raw, raw.content, "the file"), raw.metadata)
    content = raw.content
    if not isinstance(content, Mapping):
        raise WeightsError(f"{raw.path}: holds a {type(content).__name__}, not a state dict; "
                           f"{_recognised()}")
    if "state_dict" in content:
        facts = {key: str(content[key]) for key in _LIGHTNING_FACTS if key in content}
        tensors = _tensors(raw, content["state_dict"], "'state_dict'")
        return Checkpoint(raw.path, "lightning", tensors, facts)
    if "model_state" in content:
        facts = {key: str(content[key]) for key in ("epoch",) if key in content}
        tensors = _tensors(raw, content["model_state"], "'model_state'")
        return Checkpoint(raw.path, "pytorchvideo", tensors, facts)
    tensors = _tensors(raw, content, "the file")
    kind = "torchvision-kinetics400" if _has_kinetics_classifier(tensors) else "state-dict"
    return Checkpoint(raw.path, kind, tensors)


def _tensors(raw: RawWeights, mapping: object, where: str) -> dict[str, torch.Tensor]:
    if not isinstance(mapping, Mapping):
        raise WeightsError(f"{raw.path}: {where} is a {type(mapping).__name__}, not a mapping of "
                           f"names to tensors; {_recognised()}")
    wrong = [str(key) for key, value in mapping.items()
             if not isinstance(key, str) or not isinstance(value, torch.Tensor)]
    if wrong:
        shown = ", ".join(wrong[:5]) + (" ..." if len(wrong) > 5 else "")
        raise WeightsError(f"{raw.path}: {where} has {len(wrong)} entr(ies) that are not "
                           f"name -> tensor ({shown}); {_recognised()}")
    return dict(mapping)


def _has_kinetics_classifier(tensors: Mapping[str, torch.Tensor]) -> bool:
    return any(key in tensors and tensors[key].shape[0] == KINETICS_CLASSES
               for key in _KINETICS_CLASSIFIERS)


def _recognised() -> str:
    listing = "; ".join(f"{name}: {text}" for name, text in FORMATS.items())
    return f"recognised layouts are {listing}"
