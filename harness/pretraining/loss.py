"""The video-report contrastive loss of SPEC §1, with global negatives under DDP.

For N pairs of L2-normalised video embeddings v_i and report embeddings u_i and a temperature τ,

    l_i(v→u) = −log( exp(<v_i,u_i>/τ) / Σ_k exp(<v_i,u_k>/τ) )      (and l_i(u→v) likewise)
    L  = (1/N) Σ_i [ λ·l_i(v→u) + (1−λ)·l_i(u→v) ]
    L̃ = |L − b| + b                                                 (flooding at level b)

ConVIRT's asymmetric bidirectional InfoNCE (λ = 0.75, τ = 0.1, its published values, are the
defaults here: the reference publishes neither) with the flooding regulariser at b = 0.05.

Under data parallelism every process gathers the embeddings of all processes, in rank order and
*with* their gradients (:func:`gather_with_grad`), so each one computes the loss of the whole
global batch: every other process's pairs are negatives. Each process then holds the same L, and
the gradient reaching its own embeddings is the sum of every process's share; DDP's gradient
averaging turns that sum back into exactly the single-process gradient of the concatenated
batch (tested with two gloo processes).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional as F

CONVIRT_LAMBDA = 0.75
CONVIRT_TEMPERATURE = 0.1
FLOOD_LEVEL = 0.05


def info_nce(video: torch.Tensor, text: torch.Tensor, *, lam: float, temperature: float
             ) -> torch.Tensor:
    """L of SPEC §1 for the pairs (video[i], text[i]); the others in the batch are negatives."""
    logits = video @ text.T / temperature
    targets = torch.arange(len(video), device=video.device)
    video_to_text = F.cross_entropy(logits, targets)
    text_to_video = F.cross_entropy(logits.T, targets)
    return lam * video_to_text + (1.0 - lam) * text_to_video


def flooded(loss: torch.Tensor, level: float) -> torch.Tensor:
    """|loss − b| + b: the same value above the flood level b, gradient ascent below it."""
    return (loss - level).abs() + level


class _GatherWithGrad(torch.autograd.Function):
    """All processes' rows concatenated in rank order; the backward pass returns to each
    process the summed gradient of its own rows (sizes may differ between processes)."""

    @staticmethod
    def forward(ctx: Any, local: torch.Tensor) -> torch.Tensor:
        world = dist.get_world_size()
        size = torch.tensor([len(local)], device=local.device)
        sizes = [torch.zeros_like(size) for _ in range(world)]
        dist.all_gather(sizes, size)
        counts = [int(s.item()) for s in sizes]
        padded = local.new_zeros((max(counts), *local.shape[1:]))
        padded[:len(local)] = local
        parts = [torch.zeros_like(padded) for _ in range(world)]
        dist.all_gather(parts, padded.contiguous())
        rank = dist.get_rank()
        ctx.start, ctx.stop = sum(counts[:rank]), sum(counts[:rank + 1])
        return torch.cat([part[:n] for part, n in zip(parts, counts, strict=True)])

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        total = grad.contiguous().clone()
        dist.all_reduce(total, op=dist.ReduceOp.SUM)
        return total[ctx.start:ctx.stop]


def gather_with_grad(local: torch.Tensor) -> torch.Tensor:
    """Every process's ``local`` rows, concatenated in rank order, differentiable with respect
    to this process's rows; ``local`` itself outside distributed training."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return local
    return _GatherWithGrad.apply(local)


class ContrastiveLoss(nn.Module):
    """``forward(video, text)`` -> (flooded loss L̃, plain loss L) over the global batch.

    ``lam`` weighs the video→report direction (λ), ``temperature`` is τ and ``flood`` the flood
    level b (0 switches flooding off).
    """

    def __init__(self, lam: float = CONVIRT_LAMBDA, temperature: float = CONVIRT_TEMPERATURE,
                 flood: float = FLOOD_LEVEL) -> None:
        super().__init__()
        if not 0.0 <= lam <= 1.0:
            raise ValueError(f"lam (λ) must lie in [0, 1], got {lam}")
        if temperature <= 0.0:
            raise ValueError(f"temperature (τ) must be positive, got {temperature}")
        if flood < 0.0:
            raise ValueError(f"flood (b) must be >= 0, got {flood}")
        self.lam, self.temperature, self.flood = lam, temperature, flood

    def forward(self, video: torch.Tensor, text: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        if video.shape != text.shape:
            raise ValueError(f"video embeddings {tuple(video.shape)} and text embeddings "
                             f"{tuple(text.shape)} must pair row by row")
        # one collective for both modalities: the pairs stay aligned row by row
        pairs = gather_with_grad(torch.cat([video.float(), text.float()], dim=1))
        width = video.shape[1]
        loss = info_nce(pairs[:, :width], pairs[:, width:], lam=self.lam,
                        temperature=self.temperature)
        return flooded(loss, self.flood), loss
