"""The encoder: backbone -> linear projection to embed_dim -> L2 norm."""

import torch
from torch import nn


class ExampleNet(nn.Module):
    def __init__(self, width: int = 16, embed_dim: int = 512) -> None:
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv3d(3, width, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool3d(1), nn.Flatten())
        self.projection = nn.Linear(width, embed_dim)

    def features(self, video: torch.Tensor) -> torch.Tensor:
        """The backbone's features [B, width], before the projection."""
        return self.backbone(video)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        """[B, 3, T, H, W] -> [B, embed_dim]. The argument must be called `video`."""
        return nn.functional.normalize(self.projection(self.features(video)), dim=-1)
