"""Where each output pixel of a clip comes from: resize, crop and the source window.

The reference pipeline (pytorchvideo's, around a 224 px crop) resizes the shorter side to
264 px and centre-crops in evaluation, and resizes it to a random 264-380 px and crops at
random in training. Both are one separable linear map per axis from source pixels to output
pixels: torch's antialiased bilinear resize (the triangle filter, widened by the scale when
shrinking) restricted to the crop's rows or columns. This module draws the sizes and crops on
the CPU as torchvision's `Resize`, `RandomShortestSize`, `CenterCrop` and `RandomCrop` do,
cuts out the source window the crop reads (so only those pixels cross to the device), and
computes the filter taps the device applies.

A clip's geometry is an int64 array [2, 4]: for rows then columns, (source size, resized
size, crop start in the resized image, window start in the source).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import torch

# The reference's pytorchvideo pipeline for 224 px crops: shorter side scaled to 264 px then a
# center crop in evaluation, to a random 264-380 px then a random crop in training.
ZOOM = (264 / 224, 380 / 224)
SOURCE, RESIZED, CROP, WINDOW = range(4)


def short_side_range(crop: tuple[int, int], zoom: tuple[float, float] = ZOOM) -> tuple[int, int]:
    """The (evaluation and smallest, largest) shorter side the resize targets for ``crop``."""
    if not 1.0 <= zoom[0] <= zoom[1]:
        raise ValueError(f"zoom={zoom} must be (low, high) with 1 <= low <= high: the "
                         "resized image has to cover the crop")
    low, high = (round(z * max(crop)) for z in zoom)
    return low, high


def eval_sizes(height: int, width: int, short_side: int) -> tuple[int, int]:
    """The resized (height, width) of torchvision's ``resize(image, [short_side])``."""
    short, long = sorted((height, width))
    resized_long = int(short_side * long / short)
    return (short_side, resized_long) if height <= width else (resized_long, short_side)


def random_sizes(height: int, width: int, short_side: int) -> tuple[int, int]:
    """The resized (height, width) of torchvision's ``RandomShortestSize`` for ``short_side``."""
    ratio = short_side / min(height, width)
    return int(height * ratio), int(width * ratio)


def draw_geometry(height: int, width: int, crop: tuple[int, int], short_sides: tuple[int, int],
                  rng: np.random.Generator | None) -> np.ndarray:
    """One clip's geometry: the centre crop after the evaluation resize (``rng`` None) or a
    random shorter side in ``short_sides`` and a random crop, drawn from ``rng``."""
    if rng is None:
        sizes = eval_sizes(height, width, short_sides[0])
        starts = [int(round((size - out) / 2.0)) for size, out in zip(sizes, crop, strict=True)]
    else:
        sizes = random_sizes(height, width, int(rng.integers(short_sides[0], short_sides[1] + 1)))
        starts = [int(rng.integers(0, size - out + 1)) for size, out in zip(sizes, crop,
                                                                              strict=True)]
    if any(size < out for size, out in zip(sizes, crop, strict=True)):
        raise ValueError(f"a {height}x{width} frame resized to {sizes} cannot hold the "
                         f"{crop} crop; widen zoom")
    geometry = np.empty((2, 4), np.int64)
    for axis, (source, size, start) in enumerate(zip((height, width), sizes, starts,
                                                     strict=True)):
        geometry[axis] = (source, size, start, _tap_span(source, size, start)[0])
    return geometry


def window_shape(geometry: np.ndarray, crop: tuple[int, int]) -> tuple[int, int]:
    """The (rows, columns) of the source window: every source pixel the crop reads."""
    spans = [_tap_span(source, size, start + out - 1)[1] - window
             for (source, size, start, window), out in zip(geometry, crop, strict=True)]
    return spans[0], spans[1]


def handover_size(frame_sizes: Iterable[tuple[int, int]], crop: tuple[int, int],
                  zoom: tuple[float, float] = ZOOM) -> int:
    """The side S of the square every clip's source window fits in, for frames of these sizes.

    The window of an axis spans at most (crop - 1) x scale + 2 x support + 1 source pixels,
    largest at the smallest resize (the evaluation one, also training's smallest).
    """
    low = short_side_range(crop, zoom)[0]
    size = 1
    for height, width in set(frame_sizes):
        resized = [min(a, b) for a, b in zip(eval_sizes(height, width, low),
                                             random_sizes(height, width, low), strict=True)]
        for source, target, out in zip((height, width), resized, crop, strict=True):
            scale = source / target
            span = math.ceil((out - 1) * scale + 2 * max(scale, 1.0)) + 1
            size = max(size, min(source, span))
    return size


def _tap_span(source: int, resized: int, position: int) -> tuple[int, int]:
    """The source pixels [first, stop) output ``position`` reads (see `taps`)."""
    scale = source / resized
    support = max(scale, 1.0)
    center = (position + 0.5) * scale
    return max(int(center - support + 0.5), 0), min(int(center + support + 0.5), source)


def taps(source: torch.Tensor, resized: torch.Tensor, positions: torch.Tensor
         ) -> tuple[torch.Tensor, torch.Tensor]:
    """The first source pixel and the K filter weights of each output position.

    Output pixel p of a ``source`` -> ``resized`` resize reads source pixels first[p] + k,
    k < K, with weights[p, k] (zero past the taps it has; each row sums to one): torch's
    antialiased bilinear kernel, whose triangle is centred on (p + 0.5) x scale and is
    max(scale, 1) wide. ``source`` and ``resized`` are [N] (one per clip), ``positions``
    [N, P]; first is int64 [N, P], weights float64 [N, P, K].
    """
    scale = (source.double() / resized.double())[:, None]
    support = scale.clamp(min=1.0)
    center = (positions.double() + 0.5) * scale
    first = (center - support + 0.5).trunc().clamp(min=0)
    stop = torch.minimum((center + support + 0.5).trunc(), source.double()[:, None])
    k = torch.arange(int(math.ceil(2 * float(support.max()))) + 1, dtype=torch.float64)
    pixel = first[..., None] + k
    weights = (1 - ((pixel - center[..., None] + 0.5) / support[..., None]).abs()).clamp(min=0)
    weights = torch.where(pixel < stop[..., None], weights, 0.0)
    return first.long(), weights / weights.sum(-1, keepdim=True)
