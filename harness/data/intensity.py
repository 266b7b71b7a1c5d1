"""A clip's robust intensity range and its grey levels: the CPU half of intensity scaling.

MR signal has no absolute unit: the same tissue reads 200 on one scanner and 2,000 on
another, and a few bright pixels (flow artefacts, fat) can be ten times the myocardium. Each
clip is therefore scaled between its own 1st and 99th percentile and clipped. The percentiles
of a uint16 clip (the store's usual type) come from an exact histogram, several times cheaper
than `np.percentile`'s partial sort and equal to it; float clips fall back to `np.percentile`.
"""

from __future__ import annotations

import numpy as np
import torch

PERCENTILES = (1.0, 99.0)
GREY_LEVELS = 255


def intensity_limits(cine: np.ndarray, percentiles: tuple[float, float] = PERCENTILES
                     ) -> tuple[float, float]:
    """The clip's ``percentiles`` exactly as ``np.percentile(cine, percentiles)`` gives them."""
    if cine.dtype not in (np.uint8, np.uint16):
        low, high = np.percentile(cine, percentiles)
        return float(low), float(high)
    flat = torch.from_numpy(np.ascontiguousarray(cine).reshape(-1))
    counts = torch.bincount(flat.to(torch.int32)).numpy()
    ends = np.cumsum(counts)  # ends[v]: how many pixels are <= v

    def order_statistic(rank: np.ndarray) -> np.ndarray:
        return np.searchsorted(ends, rank, side="right").astype(np.float64)

    low, high = (_linear_percentile(order_statistic, cine.size, p) for p in percentiles)
    return low, high


def _linear_percentile(order_statistic, n: int, percentile: float) -> float:
    """numpy's default ('linear') percentile from a function giving sorted values by rank.

    The position is (n - 1) * p / 100 between the two neighbouring order statistics a <= b,
    interpolated as numpy does (a + (b - a) * t, or b - (b - a) * (1 - t) from t = 0.5 on)
    so the result is bit-for-bit numpy's.
    """
    position = (n - 1) * (percentile / 100)
    below = np.floor(position)
    t = position - below
    a, b = order_statistic(np.array([below, min(below + 1, n - 1)]))
    return float(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)


def grey_levels(pixels: np.ndarray, limits: tuple[float, float], out: np.ndarray) -> None:
    """Write ``pixels`` scaled from ``limits`` to [0, 1] and quantised to 0..255 into ``out``.

    The scaling is the reference's float32 arithmetic; the result differs from it by at most
    half a grey level. A clip with no range (an all-black series) becomes all zeros.
    """
    low, high = limits
    if high <= low:
        out[...] = 0
        return
    scaled = pixels.astype(np.float32)
    scaled -= np.float32(low)
    scaled /= np.float32(high - low)
    np.clip(scaled, 0.0, 1.0, out=scaled)
    scaled *= np.float32(GREY_LEVELS)
    np.rint(scaled, out=scaled)
    np.copyto(out, scaled, casting="unsafe")
