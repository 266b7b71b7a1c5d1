"""A pretraining run's configuration: data, validated at the edge, equal to `cmrbench pretrain`'s
flags.

The defaults are the reference protocol of SPEC §1: AdamW lr 4.8e-5, weight decay 1e-6, eps
1e-8, the learning rate × 0.1 half-way through the budget (epoch 300 of 600 in the reference),
batch 32 per process, 5 report sentences per study per step, a checkpoint every 10 epochs, and
ConVIRT's λ = 0.75 and τ = 0.1 (the reference publishes neither) with flooding at b = 0.05.
``text_features`` is ``joint`` (the sampled sentences encoded as one text, the reference's) or
``cached-sentences`` (whole text backbone frozen: each sentence encoded once and cached, a
sample the mean of its sentences' features; see ``sentence_features``).
``resolve`` fills what depends on the store (the dataset) and the budget, so the saved
``config.yaml`` says exactly what ran.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmrbench.data.views import VIEW_POLICIES
from cmrbench.pretraining.loss import CONVIRT_LAMBDA, CONVIRT_TEMPERATURE, FLOOD_LEVEL
from cmrbench.pretraining.pairs import PAIRINGS
from cmrbench.pretraining.sentence_features import TEXT_FEATURES
from cmrbench.training.config import CONFIG_FILE, ConfigError, ConfigFields

REFERENCE_EPOCHS = 600

__all__ = ["CONFIG_FILE", "ConfigError", "PretrainConfig"]


@dataclass(frozen=True)
class PretrainConfig(ConfigFields):
    """Everything that decides what a pretraining run computes (and a few things that decide
    how). Field names are the flags' names with '_' for '-'."""

    KIND = "pretraining config"

    video_encoder: str
    text_encoder: str
    store: Path
    out: Path
    dataset: str | None = None
    card: Path | None = None
    video_weights: str | None = None
    video_exclude: tuple[str, ...] = ()
    video_initialisation: str | None = None
    text_weights: str | None = None
    text_options: dict[str, Any] = field(default_factory=dict)
    freeze_text_layers: int | None = None
    text_features: str = "joint"
    pairs: str = "random-video"
    views: str = "reference"
    sentences: int = 5
    loss_lambda: float = CONVIRT_LAMBDA
    temperature: float = CONVIRT_TEMPERATURE
    flood: float = FLOOD_LEVEL
    lr: float = 4.8e-5
    weight_decay: float = 1e-6
    eps: float = 1e-8
    lr_drop_at: float = 0.5
    lr_drop_factor: float = 0.1
    batch_size: int = 32
    max_steps: int | None = None
    max_epochs: int | None = None
    checkpoint_every: int = 10
    val_every: int = 1
    augment: bool = True
    seed: int = 0
    num_workers: int = 0
    accelerator: str = "auto"
    devices: str = "auto"
    num_nodes: int = 1
    precision: str = "32-true"
    strategy: str = "auto"

    def __post_init__(self) -> None:
        checks = {
            "pairs": (self.pairs in PAIRINGS, f"must be one of {list(PAIRINGS)}"),
            "text_features": (self.text_features in TEXT_FEATURES,
                              f"must be one of {list(TEXT_FEATURES)}"),
            "views": (self.views in VIEW_POLICIES, f"must be one of {list(VIEW_POLICIES)}"),
            "loss_lambda": (0.0 <= self.loss_lambda <= 1.0, "λ must lie in [0, 1]"),
            "temperature": (self.temperature > 0.0, "τ must be positive"),
            "flood": (self.flood >= 0.0, "the flood level b must be >= 0 (0: no flooding)"),
            "lr": (self.lr > 0.0, "must be positive"),
            "weight_decay": (self.weight_decay >= 0.0, "must be >= 0"),
            "eps": (self.eps > 0.0, "must be positive"),
            "lr_drop_at": (0.0 < self.lr_drop_at <= 1.0,
                           "the fraction of the budget after which lr drops, in (0, 1]"),
            "lr_drop_factor": (0.0 < self.lr_drop_factor <= 1.0, "must lie in (0, 1]"),
            "num_workers": (self.num_workers >= 0, "must be >= 0"),
            "freeze_text_layers": (self.freeze_text_layers is None
                                   or self.freeze_text_layers >= 0, "must be >= 0"),
        }
        for name, (ok, problem) in checks.items():
            if not ok:
                raise ConfigError(f"{name}: {getattr(self, name)!r}: {problem}")
        for name in ("sentences", "batch_size", "max_steps", "max_epochs", "checkpoint_every",
                     "val_every", "num_nodes"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name}: must be a positive integer, got {value}")
        if "freeze_layers" in self.text_options:
            raise ConfigError("text_options: set freeze_layers with freeze_text_layers "
                              "(--freeze-text-layers), not as a text option")

    def resolve(self, dataset: str) -> PretrainConfig:
        """The dataset named (the store's own when unset) and a budget (the reference's 600
        epochs when neither steps nor epochs are set)."""
        fill: dict[str, Any] = {"dataset": self.dataset or dataset}
        if self.max_steps is None and self.max_epochs is None:
            fill["max_epochs"] = REFERENCE_EPOCHS
        return dataclasses.replace(self, **fill)
