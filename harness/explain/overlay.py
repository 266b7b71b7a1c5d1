"""Heat maps over grey clips: colour, blending and tiling into video frames.

Maps are scaled to [0, 1] by their own range over the whole clip (so a map's change over time
stays visible), coloured with matplotlib's ``inferno`` and blended over the grey frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from cmrbench.specs import VideoInput
from matplotlib import colormaps

ALPHA = 0.5
MIN_TILE = 96  # tiles are enlarged (whole pixels) to at least this many rows for legibility


def display_frames(clip: torch.Tensor, contract: VideoInput) -> np.ndarray:
    """A normalised clip [C, T, H, W] back to grey in [0, 1], [T, H, W] (its first channel)."""
    low, high = contract.value_range
    grey = clip[0].detach().float().cpu() * contract.std[0] + contract.mean[0]
    return ((grey - low) / (high - low)).clamp(0, 1).numpy()


def unit_range(heat: np.ndarray) -> np.ndarray:
    """``heat`` scaled to [0, 1] over all its values; a constant map becomes zeros."""
    heat = np.asarray(heat, dtype=np.float64)
    span = heat.max() - heat.min()
    return (heat - heat.min()) / span if span > 0 else np.zeros_like(heat)


def blend(grey: np.ndarray, heat: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """uint8 RGB [..., 3]: the grey image under the coloured ``heat`` (both in [0, 1])."""
    colour = colormaps["inferno"](heat)[..., :3]
    mixed = (1 - alpha) * grey[..., None] + alpha * colour
    return np.round(np.clip(mixed, 0, 1) * 255).astype(np.uint8)


def tile_scale(height: int) -> int:
    return max(1, -(-MIN_TILE // height))


def tile_video(tiles: Sequence[Sequence[np.ndarray | None]], scale: int) -> np.ndarray:
    """Frames [T, rows*h*scale, cols*w*scale, 3] from a grid of RGB clips [T, h, w, 3]
    (None: an empty, black tile), each pixel enlarged ``scale`` times; rounded up to even
    sizes, as H.264's 4:2:0 video needs."""
    first = next(t for row in tiles for t in row if t is not None)
    frames, height, width, _ = first.shape
    columns = max(len(row) for row in tiles)
    tall, wide = len(tiles) * height * scale, columns * width * scale
    out = np.zeros((frames, tall + tall % 2, wide + wide % 2, 3), np.uint8)
    for r, row in enumerate(tiles):
        for c, tile in enumerate(row):
            if tile is not None:
                big = tile.repeat(scale, axis=1).repeat(scale, axis=2)
                out[:, r * height * scale:(r + 1) * height * scale,
                    c * width * scale:(c + 1) * width * scale] = big
    return out
