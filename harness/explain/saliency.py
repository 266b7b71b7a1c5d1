"""Gradient x input saliency of a task output with respect to a study's clips, for any encoder.

For output ``o`` of the study model and clip pixel ``x``, the map is ``x * do/dx`` summed
over channels (Simonyan et al. 2014; Shrikumar et al. 2016): signed, in the output's units
per normalised pixel, and defined whatever the encoder is, because it needs nothing but
gradients through the whole model (encoder, attention pooling, head) for the one study.
"""

from __future__ import annotations

import torch
from cmrbench.training.model import StudyModel


def gradient_x_input(model: StudyModel, clips: torch.Tensor, output: int) -> torch.Tensor:
    """Saliency [K, T, H, W] of raw output ``output`` for one study's clips [K, C, T, H, W]."""
    clips = clips.detach().clone().requires_grad_(True)
    mask = torch.ones((1, len(clips)), dtype=torch.bool, device=clips.device)
    with torch.enable_grad():
        outputs, _ = model(clips.unsqueeze(0), mask)
        (gradient,) = torch.autograd.grad(outputs[0, output], clips)
    return (gradient * clips).sum(dim=1).detach()
