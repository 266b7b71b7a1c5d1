"""Where a transformer's tokens sit in the clip, and their maps interpolated back onto it.

A token grid comes from strided convolutions and poolings (MViT's patch embedding, then its
query and key/value poolings). Along one axis, token ``i`` of a convolution with kernel ``k``,
stride ``s`` and padding ``p`` is centred on input position ``s*i - p + (k-1)/2``; composing
those maps gives each grid an ``offset`` and a ``step`` in clip coordinates (frames, pixels).
A map on the grid is brought back to the clip by linear interpolation between token centres,
held constant beyond the first and last centre, separately along time, rows and columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Axis:
    """Token ``i`` sits at clip coordinate ``offset + step * i``."""

    offset: float = 0.0
    step: float = 1.0

    def then(self, kernel: int, stride: int, padding: int) -> Axis:
        """This axis after a convolution or pooling with ``kernel``, ``stride``, ``padding``."""
        return Axis(self.offset + self.step * (-padding + (kernel - 1) / 2), self.step * stride)


@dataclass(frozen=True)
class TokenGrid:
    """The (time, rows, columns) axes of a token grid."""

    axes: tuple[Axis, Axis, Axis] = (Axis(), Axis(), Axis())

    def then(self, layer: torch.nn.Module) -> TokenGrid:
        """This grid after a 3-D convolution or pooling layer (its kernel, stride, padding)."""
        kernel, stride, padding = (_triple(getattr(layer, name))
                                   for name in ("kernel_size", "stride", "padding"))
        return TokenGrid(tuple(axis.then(k, s, p) for axis, k, s, p in
                               zip(self.axes, kernel, stride, padding, strict=True)))


def _triple(value: int | Sequence[int] | str) -> tuple[int, int, int]:
    if isinstance(value, str):
        raise ValueError(f"padding {value!r} has no fixed offset; a token grid needs numbers")
    return (value,) * 3 if isinstance(value, int) else tuple(int(v) for v in value)


def interpolation_matrix(tokens: int, axis: Axis, size: int) -> torch.Tensor:
    """[size, tokens]: row ``j`` holds the weights of the tokens at clip coordinate ``j``."""
    position = ((torch.arange(size, dtype=torch.float64) - axis.offset) / axis.step)
    position = position.clamp(0, tokens - 1)
    low = position.floor().long()
    high = (low + 1).clamp(max=tokens - 1)
    weight = position - low
    matrix = torch.zeros(size, tokens, dtype=torch.float64)
    rows = torch.arange(size)
    matrix.index_put_((rows, low), 1 - weight, accumulate=True)
    matrix.index_put_((rows, high), weight, accumulate=True)
    return matrix


def to_clip(maps: torch.Tensor, grid: TokenGrid, size: Sequence[int]) -> torch.Tensor:
    """Maps [..., t, h, w] on ``grid`` -> [..., T, H, W] on the clip of ``size`` (T, H, W)."""
    time, rows, columns = (interpolation_matrix(n, axis, s).to(maps.dtype)
                           for n, axis, s in zip(maps.shape[-3:], grid.axes, size, strict=True))
    return torch.einsum("...thw,Tt,Hh,Ww->...THW", maps, time, rows, columns)
