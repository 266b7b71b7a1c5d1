"""Gated multi-view attention pooling of a study's bag of video embeddings (SPEC §2).

A study is a bag of k video embeddings h_1..h_k (one per long-axis video and per selected SAX
slice). Gated attention (Ilse et al. 2018, as in the reference):

    a_k = softmax_k( w^T ( tanh(V h_k) ⊙ sigmoid(U h_k) ) ),     study = Σ_k a_k h_k

With ``branches`` > 1 there is one ``w`` per branch (V and U are shared): each label of a
multi-label task gets its own weighting of the views, the single-model equivalent of the
reference's one model per label. ``layernorm`` normalises each h_k first, as the reference does
for classification. Padding (``mask`` False) gets zero weight.
"""

from __future__ import annotations

import torch
from torch import nn


class GatedAttentionPooling(nn.Module):
    """Embeddings [B, K, D] + mask [B, K] -> pooled [B, A, D], attention [B, A, K] (A branches)."""

    def __init__(self, dim: int, hidden: int = 128, branches: int = 1,
                 layernorm: bool = False) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim) if layernorm else nn.Identity()
        self.value = nn.Linear(dim, hidden)
        self.gate = nn.Linear(dim, hidden)
        self.score = nn.Linear(hidden, branches)

    def forward(self, embeddings: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        if not bool(mask.any(dim=1).all()):
            raise ValueError("every study in a batch needs at least one video (mask row of "
                             "all False)")
        h = self.norm(embeddings)
        scores = self.score(torch.tanh(self.value(h)) * torch.sigmoid(self.gate(h)))  # [B, K, A]
        scores = scores.masked_fill(~mask.unsqueeze(-1), float("-inf"))
        attention = torch.softmax(scores.float(), dim=1).to(h.dtype).transpose(1, 2)  # [B, A, K]
        return attention @ h, attention
