"""The one model every task trains: video encoder -> multi-view attention pooling -> task head.

Modes only decide what trains (SPEC §3, names as in the reference code):

- ``linear``: the encoder and its projection are frozen; only the head (pooling included) trains.
- ``finetune``: the encoder's backbone is frozen; its projection (its last linear layer) and the
  head train.
- ``transfer``: everything trains.

With the feature cache, a frozen backbone is not run at all: the model starts from cached
per-video features and applies the encoder's own projection and L2 normalisation (frozen in
``linear``), exactly what the encoder's forward does after its backbone.
"""

from __future__ import annotations

import torch
from cmrbench.pooling import GatedAttentionPooling
from cmrbench.task import Task
from torch import nn
from torch.nn import functional as F


class ModeError(ValueError):
    """A training mode the encoder cannot support; the message says what it lacks."""


class ProjectionTop(nn.Module):
    """The encoder's projection + L2 norm applied to cached backbone features."""

    def __init__(self, projection: nn.Module) -> None:
        super().__init__()
        self.projection = projection

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.projection(features), dim=-1)


def has_projection(encoder: nn.Module) -> bool:
    """Whether ``encoder`` exposes ``features()`` and ``projection`` (its last linear layer)."""
    return callable(getattr(encoder, "features", None)) and isinstance(
        getattr(encoder, "projection", None), nn.Module)


class StudyModel(nn.Module):
    """Study bags -> (task outputs [B, n_outputs], attention [B, branches, K]).

    ``encoder`` runs on pixel bags [B, K, C, T, H, W]; without it (cached mode) ``top`` maps
    cached features [B, K, F] to video embeddings. Padding videos are never encoded.
    """

    def __init__(self, task: Task, embed_dim: int, *, encoder: nn.Module | None = None,
                 top: nn.Module | None = None) -> None:
        super().__init__()
        if (encoder is None) == (top is None):
            raise ValueError("StudyModel takes an encoder (pixel bags) or a top (cached "
                             "features), not both or neither")
        self.encoder, self.top = encoder, top
        self.pooling = GatedAttentionPooling(embed_dim, branches=len(task.attention),
                                             layernorm=task.layernorm)
        self.head = task.head(embed_dim)

    def embed(self, inputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Video embeddings [B, K, D] (zeros where ``mask`` is False)."""
        if self.top is not None:
            return self.top(inputs) * mask.unsqueeze(-1)
        videos = self.encoder(video=inputs[mask])
        out = videos.new_zeros((*mask.shape, videos.shape[-1]))
        out[mask] = videos
        return out

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        pooled, attention = self.pooling(self.embed(inputs, mask), mask)
        return self.head(pooled), attention


def apply_mode(model: StudyModel, mode: str) -> None:
    """Freeze what ``mode`` does not train (``requires_grad=False``, and eval-mode layers)."""
    trunk = model.encoder if model.encoder is not None else model.top
    trunk.requires_grad_(True)
    if mode == "linear":
        trunk.requires_grad_(False)
    elif mode == "finetune":
        projection = getattr(trunk, "projection", None)
        if model.encoder is not None and not has_projection(model.encoder):
            raise ModeError("finetune trains the encoder's last linear layer: the encoder must "
                            "expose features() and .projection (as cmrbench's ProjectedEncoder "
                            "does); use linear or transfer mode for this encoder")
        trunk.requires_grad_(False)
        projection.requires_grad_(True)
    elif mode != "transfer":
        raise ModeError(f"unknown mode {mode!r}; choose linear, finetune or transfer")


def frozen_modules_to_eval(model: StudyModel) -> None:
    """Put every module whose parameters are all frozen in eval mode (no dropout or BatchNorm
    statistics updates where nothing trains); call after ``model.train()``."""
    for module in model.modules():
        params = list(module.parameters(recurse=True))
        if params and not any(p.requires_grad for p in params):
            module.eval()
