"""The two encoders of a pretraining run, resolved by name and built with their weights."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Any

from cmrbench.embedding import build_encoder, build_text_encoder
from cmrbench.registry import Registry, get_registry
from cmrbench.specs import EncoderSpec
from cmrbench.weights import resolve_weights
from torch import nn

FREEZE_OPTION = "freeze_layers"


class EncoderChoiceError(ValueError):
    """An encoder named for the wrong modality; the message says which is which."""


@dataclass(frozen=True)
class BuiltEncoder:
    """An encoder module with its spec and the provenance of its weights."""

    spec: EncoderSpec
    module: nn.Module
    provenance: dict[str, Any]


def encoder_specs(config: Any, registry: Registry | None = None) -> dict[str, EncoderSpec]:
    """{"video": spec, "text": spec} of ``config``'s encoders, each checked for its modality."""
    registry = registry or get_registry()
    specs = {"video": registry.entry("encoder", config.video_encoder).spec,
             "text": registry.entry("encoder", config.text_encoder).spec}
    for kind, spec in specs.items():
        if spec.modality != kind:
            raise EncoderChoiceError(f"--{kind}-encoder {spec.name!r} is a {spec.modality} "
                                     f"encoder; name a {kind} encoder (`cmrbench ls encoders`)")
    return specs


def resolve_frozen_layers(config: Any, text: EncoderSpec) -> Any:
    """``config`` with ``freeze_text_layers`` set to the text encoder's own default when unset
    (bert: 6 of 12, as the reference; bert-minilm-l6: 3 of 6), so the saved config says it."""
    if config.freeze_text_layers is not None:
        return config
    parameter = inspect.signature(text.factory).parameters.get(FREEZE_OPTION)
    if parameter is None or parameter.default is inspect.Parameter.empty:
        return config
    return dataclasses.replace(config, freeze_text_layers=int(parameter.default))


def text_options(config: Any) -> dict[str, Any]:
    """The text encoder's factory options: ``text_options`` plus the frozen layer count."""
    options = dict(config.text_options)
    if config.freeze_text_layers is not None:
        options[FREEZE_OPTION] = config.freeze_text_layers
    return options


def build_encoders(config: Any, *, registry: Registry | None = None,
                   weights: bool = True) -> dict[str, BuiltEncoder]:
    """Both encoders of ``config`` in train mode, seeded, with their weights loaded (or, with
    ``weights=False``, without: a checkpoint's state is about to replace them)."""
    specs = encoder_specs(config, registry)
    resolved = (resolve_weights(specs["video"], config.video_weights)
                if weights and config.video_weights else None)
    video, video_provenance = build_encoder(
        specs["video"], resolved, exclude=config.video_exclude,
        initialisation=config.video_initialisation, seed=config.seed)
    text, text_provenance = build_text_encoder(
        specs["text"], config.text_weights if weights else None,
        options=text_options(config), seed=config.seed)
    return {"video": BuiltEncoder(specs["video"], video.train(), video_provenance),
            "text": BuiltEncoder(specs["text"], text.train(), text_provenance)}
