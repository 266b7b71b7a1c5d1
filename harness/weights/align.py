"""Fit a checkpoint's keys to a module: choose where the file goes, then compare key by key.

Files name the same tensor differently: a Lightning checkpoint says
'model.video_encoder.backbone.conv_proj.weight', a torchvision Kinetics file says
'conv_proj.weight', and the encoder calls it 'backbone.conv_proj.weight'. Rather than a list of
rewrite rules, :func:`align` tries every prefix the file's keys share, against the whole module
and against its ``backbone``, and keeps the pairing under which most tensors fit by name and
shape. Everything else is decided key by key in :func:`match` and recorded in the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from cmrbench.weights.errors import WeightsError
from cmrbench.weights.formats import Checkpoint
from cmrbench.weights.report import LoadReport, Mismatch, under
from torch import nn

TARGETS = ("", "backbone")
"""Where a file may go: the whole module, or its ``backbone`` (a file of backbone weights only,
such as a torchvision Kinetics state dict; the projection then keeps its initialisation)."""


@dataclass(frozen=True)
class Alignment:
    """A pairing of the file with the module: strip ``prefix``, load into ``target``."""

    target: str
    prefix: str


@dataclass(frozen=True)
class Plan:
    """What to load where, and the report describing it."""

    target: nn.Module
    tensors: dict[str, torch.Tensor]
    report: LoadReport


def align(checkpoint: Checkpoint, module: nn.Module) -> Alignment:
    """The (target, prefix) under which most of the file's tensors fit the module.

    Ranked by tensors fitting by name and shape, then by name alone; ties go to the whole
    module over its backbone, then to the shorter prefix.
    """
    by_shape: Counter[tuple[str, str]] = Counter()
    by_name: Counter[tuple[str, str]] = Counter()
    for target in _targets(module):
        shapes = _shapes(_submodule(module, target))
        for key, tensor in checkpoint.tensors.items():
            for prefix, rest in _splits(key):
                if rest in shapes:
                    by_name[(target, prefix)] += 1
                    by_shape[(target, prefix)] += shapes[rest] == tuple(tensor.shape)
    if not by_name:
        raise WeightsError(_no_overlap(checkpoint, module))
    order = {name: i for i, name in enumerate(TARGETS)}
    best = max(by_name, key=lambda tp: (by_shape[tp], by_name[tp], -order[tp[0]], -len(tp[1])))
    return Alignment(*best)


def match(checkpoint: Checkpoint, module: nn.Module, alignment: Alignment,
          exclude: Iterable[str] = ()) -> Plan:
    """Compare the file with the module key by key under ``alignment``."""
    prefixes = (exclude,) if isinstance(exclude, str) else tuple(exclude)
    skip = tuple(p.rstrip(".") for p in prefixes)
    target = _submodule(module, alignment.target)
    expected = _shapes(target)

    def excluded(*names: str) -> bool:
        return any(under(name, prefix) for name in names for prefix in skip)

    to_load: dict[str, torch.Tensor] = {}
    unexpected, mismatched, dropped, ignored = [], [], [], []
    for key, tensor in checkpoint.tensors.items():
        if not key.startswith(alignment.prefix):
            ignored.append(key)
            continue
        rest = key[len(alignment.prefix):]
        if excluded(key, rest, _qualify(alignment.target, rest)):
            dropped.append(rest)
        elif rest not in expected:
            unexpected.append(rest)
        elif tuple(tensor.shape) != expected[rest]:
            mismatched.append(Mismatch(rest, tuple(tensor.shape), expected[rest]))
        else:
            to_load[rest] = tensor
    reported = set(to_load) | {m.key for m in mismatched}
    missing = [key for key in expected if key not in reported
               and not excluded(key, _qualify(alignment.target, key))]
    inside = _qualify(alignment.target, "")
    kept = [key for key in module.state_dict() if inside and not key.startswith(inside)]
    report = LoadReport(
        path=checkpoint.path, format=checkpoint.format, target=alignment.target,
        prefix=alignment.prefix, loaded=tuple(to_load), missing=tuple(missing),
        unexpected=tuple(unexpected), mismatched=tuple(mismatched), excluded=tuple(dropped),
        ignored=tuple(ignored), kept=tuple(kept))
    return Plan(target, to_load, report)


def _targets(module: nn.Module) -> list[str]:
    return [name for name in TARGETS
            if not name or isinstance(getattr(module, name, None), nn.Module)]


def _submodule(module: nn.Module, name: str) -> nn.Module:
    return module.get_submodule(name) if name else module


def _shapes(module: nn.Module) -> dict[str, tuple[int, ...]]:
    return {key: tuple(value.shape) for key, value in module.state_dict().items()}


def _splits(key: str) -> list[tuple[str, str]]:
    """Every (prefix, rest) cut of ``key`` at a '.' boundary, including the empty prefix."""
    parts = key.split(".")
    return [(".".join(parts[:n]) + "." if n else "", ".".join(parts[n:]))
            for n in range(len(parts))]


def _qualify(target: str, key: str) -> str:
    return f"{target}.{key}" if target else key


def _no_overlap(checkpoint: Checkpoint, module: nn.Module) -> str:
    file_keys = ", ".join(list(checkpoint.tensors)[:3]) or "none"
    module_keys = ", ".join(list(module.state_dict())[:3])
    return (f"{checkpoint.path}: none of its {len(checkpoint.tensors)} tensor names fit "
            f"{type(module).__name__}, with or without a prefix (file: {file_keys} ...; module: "
            f"{module_keys} ...): is this the weights file for this encoder?")
