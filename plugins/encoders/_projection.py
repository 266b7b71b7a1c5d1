"""The one encoder shape every built-in video encoder has: backbone -> linear projection -> L2.

Training modes act on these names: 'linear' freezes ``backbone`` and ``projection``, 'finetune'
freezes ``backbone``, 'transfer' trains both.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

Headless = tuple[nn.Module, int, str]
"""A backbone without its classifier, its feature width, and the classifier's key prefix."""


class ProjectedEncoder(nn.Module):
    """``backbone`` maps a normalised clip [B, C, T, H, W] to features [B, feature_dim];
    ``projection`` maps those to [B, embed_dim], returned L2-normalised.

    ``classifier`` is the key prefix of the classifier the backbone's own checkpoints carry
    ('head' for MViT, 'fc' for torchvision ResNets) and this backbone dropped: what to pass as
    ``load_weights(..., exclude=(encoder.classifier,))`` for a Kinetics file.
    """

    def __init__(self, backbone: nn.Module, feature_dim: int, classifier: str,
                 embed_dim: int = 512) -> None:
        super().__init__()
        self.backbone = backbone
        self.projection = nn.Linear(feature_dim, embed_dim)
        self.classifier = classifier

    def features(self, video: torch.Tensor) -> torch.Tensor:
        """Backbone features before the projection, [B, feature_dim]."""
        return self.backbone(video)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.projection(self.features(video)), dim=-1)
