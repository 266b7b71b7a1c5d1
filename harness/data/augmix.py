"""AugMix with one draw per clip: parameters drawn on the CPU, applied batched on any device.

This is torchvision's ``v2.AugMix(severity=3, all_ops=False)`` on a clip wrapped as one
``tv_tensors.Video`` (the reference `ReferenceClipTransform` runs exactly that), split in two:

- `sample_augmix` draws what torchvision draws, from the item's own numpy generator: the
  weight of the original (Beta(alpha, alpha)), the weights of ``width`` chains (Dirichlet,
  scaled by the rest), each chain's depth (1-3), and per step an operation (uniform over the
  nine below), a magnitude level (uniform below ``severity``) and, for signed operations, a
  sign (negative with probability 1/2). Magnitudes are resolved to their final value here:
  shear factor, pixels, degrees, bits or threshold.
- `apply_augmix` runs the chains on a batch of uint8-valued float clips [N, T, H, W]: every
  step applies each clip's operation to all its frames, rounding to whole grey levels as
  torchvision does on uint8, then the chains and the original are mixed and truncated to
  whole levels. Which clips take which operation is read from the CPU copy of ``ops``, so the
  device never waits: each operation runs once per step on just the clips that drew it.

Autocontrast and equalize work frame by frame, as torchvision's do on a video.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

OPS = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Posterize", "Solarize",
       "AutoContrast", "Equalize")
SHEAR_X, SHEAR_Y, TRANSLATE_X, TRANSLATE_Y, ROTATE, POSTERIZE, SOLARIZE, AUTOCONTRAST, \
    EQUALIZE = range(len(OPS))
SIGNED = frozenset({SHEAR_X, SHEAR_Y, TRANSLATE_X, TRANSLATE_Y, ROTATE})
NO_OP = -1
CHAINS = 3
MAX_DEPTH = 3
LEVELS = 10  # torchvision's magnitude bins; severity picks among the lowest
WHITE = 255.0


def magnitude(op: int, level: int, height: int, width: int) -> float:
    """The value of ``op`` at magnitude ``level`` on a height x width image (unsigned)."""
    fraction = level / (LEVELS - 1)
    if op in (SHEAR_X, SHEAR_Y):
        return 0.3 * fraction
    if op in (TRANSLATE_X, TRANSLATE_Y):
        return (width if op == TRANSLATE_X else height) / 3.0 * fraction
    if op == ROTATE:
        return 30.0 * fraction
    if op == POSTERIZE:
        return float(round(4 - level / ((LEVELS - 1) / 4)))
    if op == SOLARIZE:
        return WHITE * (1.0 - fraction)
    return 0.0


def neutral_augmix() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parameters that leave a clip as it is: all weight on the original, no operation."""
    return (np.array([1.0, 0.0, 0.0, 0.0], np.float32), np.full((CHAINS, MAX_DEPTH), NO_OP),
            np.zeros((CHAINS, MAX_DEPTH), np.float32))


def sample_augmix(rng: np.random.Generator, height: int, width: int, severity: int = 3,
                  alpha: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One clip's AugMix: mixing weights [1 + chains], ops and magnitudes [chains, depth]."""
    if not 1 <= severity <= LEVELS:
        raise ValueError(f"AugMix severity must be in 1..{LEVELS}, got {severity}")
    original = rng.dirichlet([alpha, alpha])
    mix = np.concatenate([original[:1], rng.dirichlet([alpha] * CHAINS) * original[1]])
    ops = np.full((CHAINS, MAX_DEPTH), NO_OP)
    magnitudes = np.zeros((CHAINS, MAX_DEPTH), np.float32)
    for chain in range(CHAINS):
        for step in range(int(rng.integers(1, MAX_DEPTH + 1))):
            op = int(rng.integers(len(OPS)))
            value = magnitude(op, int(rng.integers(severity)), height, width)
            if op in SIGNED and rng.random() <= 0.5:
                value = -value
            if op in (TRANSLATE_X, TRANSLATE_Y):
                value = float(int(value))  # torchvision translates by whole pixels
            ops[chain, step], magnitudes[chain, step] = op, value
    return mix.astype(np.float32), ops, magnitudes


def apply_augmix(clips: torch.Tensor, mix: torch.Tensor, ops: torch.Tensor,
                 magnitudes: torch.Tensor) -> torch.Tensor:
    """AugMix of uint8-valued float clips [N, T, H, W]; the result is uint8-valued too.

    ``mix`` [N, 1 + chains] may live on any device; ``ops`` and ``magnitudes`` [N, chains,
    depth] are read on the CPU (pass CPU tensors to keep the device from waiting).
    """
    ops, magnitudes = ops.cpu(), magnitudes.cpu()
    weights = mix.to(clips.device, torch.float32, non_blocking=True)[:, :, None, None, None]
    mixed = clips * weights[:, 0]
    for chain in range(ops.shape[1]):
        augmented = clips.clone()
        for step in range(ops.shape[2]):
            for kernel, members in _GROUPS:
                chosen = torch.isin(ops[:, chain, step], members).nonzero().flatten()
                if chosen.numel():
                    index = chosen.to(clips.device, non_blocking=True)
                    result = kernel(augmented.index_select(0, index), ops[chosen, chain, step],
                                    magnitudes[chosen, chain, step])
                    augmented.index_copy_(0, index, result)
        mixed += weights[:, chain + 1] * augmented
    return mixed.trunc_()


def _affine(clips: torch.Tensor, ops: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Shear, translate or rotate each clip about torchvision's centres, bilinear, zero fill."""
    height, width = clips.shape[-2:]
    inverse = torch.zeros(len(ops), 2, 3, dtype=torch.float64)
    inverse[:, 0, 0] = inverse[:, 1, 1] = 1.0
    for row, (op, value) in enumerate(zip(ops.tolist(), values.tolist(), strict=True)):
        if op == SHEAR_X:  # sheared about the top edge
            inverse[row, 0, 1:] = torch.tensor([value, value * height / 2])
        elif op == SHEAR_Y:  # about the left edge
            inverse[row, 1, 0::2] = torch.tensor([value, value * width / 2])
        elif op in (TRANSLATE_X, TRANSLATE_Y):
            inverse[row, int(op == TRANSLATE_Y), 2] = -value
        else:
            cos, sin = math.cos(math.radians(value)), math.sin(math.radians(value))
            inverse[row, :, :2] = torch.tensor([[cos, -sin], [sin, cos]])
    # torchvision's order of operations (the map scaled to grid units first, in float32) so
    # pixels round alike; done here on the host, so the device never waits for a copy
    scaled = inverse.float().transpose(1, 2) / torch.tensor([width / 2, height / 2])
    grid = _sampling_grid(scaled.to(clips.device, non_blocking=True), height, width)
    return F.grid_sample(clips, grid, mode="bilinear", padding_mode="zeros",
                         align_corners=False).round_()


def _sampling_grid(scaled: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """grid_sample's grid [n, H, W, 2] for inverse maps [n, 3, 2] from pixels about the
    centre to grid units."""
    kwargs = dict(dtype=scaled.dtype, device=scaled.device)
    xs = torch.linspace((1 - width) / 2, (width - 1) / 2, width, **kwargs)
    ys = torch.linspace((1 - height) / 2, (height - 1) / 2, height, **kwargs)
    centred = torch.stack([xs.expand(height, width), ys[:, None].expand(height, width),
                           torch.ones(height, width, **kwargs)], dim=-1)
    grid = torch.bmm(centred.view(1, -1, 3).expand(len(scaled), -1, -1), scaled)
    return grid.view(-1, height, width, 2)


def _posterize(clips: torch.Tensor, ops: torch.Tensor, bits: torch.Tensor) -> torch.Tensor:
    step = (2.0 ** (8 - bits)).to(clips.device, non_blocking=True)[:, None, None, None]
    return clips.div(step).floor_().mul_(step)


def _solarize(clips: torch.Tensor, ops: torch.Tensor, thresholds: torch.Tensor) -> torch.Tensor:
    threshold = thresholds.to(clips.device, non_blocking=True)[:, None, None, None]
    return torch.where(clips >= threshold, WHITE - clips, clips)


def _autocontrast(clips: torch.Tensor, ops: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Each frame stretched from its own darkest to its brightest pixel; flat frames kept."""
    low = clips.amin(dim=(-2, -1), keepdim=True)
    high = clips.amax(dim=(-2, -1), keepdim=True)
    flat = high == low
    scale = torch.where(flat, 1.0, (high - low) * (1.0 / WHITE))
    low = torch.where(flat, 0.0, low)
    return clips.sub(low).div_(scale).clamp_(0, WHITE).trunc_()


def _equalize(clips: torch.Tensor, ops: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """PIL's histogram equalisation (ImageOps.equalize), frame by frame, as torchvision's.

    With ``step`` the number of pixels below the frame's brightest value over 255, level v
    maps to (pixels darker than v + step // 2) // step, capped at 255; a frame whose step is
    zero (almost one value) is left as it is.
    """
    frames = clips.flatten(0, 1).flatten(1).long()
    count, pixels = frames.shape
    offsets = torch.arange(count, device=frames.device)[:, None] * 256
    histogram = torch.bincount((frames + offsets).flatten(), minlength=count * 256)
    histogram = histogram.view(count, 256)
    brightest = histogram.gather(1, frames.amax(1, keepdim=True))
    step = (pixels - brightest) // 255
    darker = histogram.cumsum(1) - histogram
    table = ((darker + step // 2) // step.clamp(min=1)).clamp_(max=255)
    equalized = torch.where(step > 0, table.gather(1, frames), frames)
    return equalized.view_as(clips).to(clips.dtype)


_GROUPS = (
    (_affine, torch.tensor([SHEAR_X, SHEAR_Y, TRANSLATE_X, TRANSLATE_Y, ROTATE])),
    (_posterize, torch.tensor([POSTERIZE])),
    (_solarize, torch.tensor([SOLARIZE])),
    (_autocontrast, torch.tensor([AUTOCONTRAST])),
    (_equalize, torch.tensor([EQUALIZE])),
)
