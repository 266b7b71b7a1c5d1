"""Linear heads over pooled study embeddings, one weight matrix per attention branch."""

from __future__ import annotations

import math

import torch
from torch import nn


class BranchLinear(nn.Module):
    """Pooled [B, branches, D] -> [B, branches * outputs]: branch a gets its own linear map.

    One branch with k outputs is a plain linear head (regression, softmax classes); L branches
    with one output each give each label of a multi-label task its own head over its own
    attention-pooled embedding.
    """

    def __init__(self, in_dim: int, outputs: int = 1, branches: int = 1) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(in_dim)  # nn.Linear's default initialisation
        self.weight = nn.Parameter(torch.empty(branches, in_dim, outputs).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(branches, outputs).uniform_(-bound, bound))

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        out = torch.einsum("bad,ado->bao", pooled, self.weight) + self.bias
        return out.flatten(1)
