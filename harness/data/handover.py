"""The CPU half of the clip pipeline: compact grey frames plus the parameters to finish them.

A DataLoader worker reads the encoder's T frames of a clip, finds its intensity limits, draws
its geometry (and, in training, its AugMix) from the item's own random stream, and hands
over only the source window the crop will read, as uint8 grey levels in a fixed S x S canvas
(zeros beyond the window). Everything else (resize, crop, AugMix, channels, normalisation)
runs batched on the device (`cmrbench.data.device.BatchTransform`). uint8 is enough: the
hand-over moves the evaluation output by at most half a grey level, and training quantises
to uint8 before AugMix anyway.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from cmrbench.data.augmix import neutral_augmix, sample_augmix
from cmrbench.data.geometry import WINDOW, ZOOM, draw_geometry, short_side_range, window_shape
from cmrbench.data.intensity import PERCENTILES, grey_levels, intensity_limits
from cmrbench.data.temporal import check_clip
from cmrbench.specs import VideoInput


class ClipParams(NamedTuple):
    """How the device turns each clip's hand-over frames into the encoder's input.

    Leading dimensions are the clips' ([K] in a bag item, [B] or [B, Kmax] in a batch):

    - geometry: int64 [..., 2, 4], rows then columns: (source size, resized size, crop start,
      window start); see `cmrbench.data.geometry`.
    - mix: float32 [..., 4], the AugMix weight of the plain crop, then of each of 3 chains.
    - ops: int64 [..., 3, 3], each chain's operations (`cmrbench.data.augmix.OPS`; -1: none).
    - magnitudes: float32 [..., 3, 3], each operation's signed value.

    Evaluation clips carry mix (1, 0, 0, 0) and no operation.
    """

    geometry: torch.Tensor
    mix: torch.Tensor
    ops: torch.Tensor
    magnitudes: torch.Tensor


class Handover:
    """A raw clip [T, H, W] (uint16 or float) -> (uint8 frames [T, S, S], `ClipParams`).

    ``size`` is S, from `cmrbench.data.geometry.handover_size` over the frame sizes the
    dataset holds. Training draws a random shorter side in ``zoom`` x crop, a random crop
    and (with ``augment``) AugMix at ``severity`` from the ``rng`` passed per clip;
    evaluation takes the centre crop of the shorter side resized to ``zoom[0]`` x crop.
    """

    def __init__(self, contract: VideoInput, size: int, train: bool = False,
                 augment: bool = True, zoom: tuple[float, float] = ZOOM,
                 percentiles: tuple[float, float] = PERCENTILES, severity: int = 3) -> None:
        self.contract = contract
        self.size = size
        self.train = train
        self.augment = augment
        self.crop = (contract.height, contract.width)
        self.short_sides = short_side_range(self.crop, zoom)
        self.percentiles = percentiles
        self.severity = severity

    def __call__(self, cine: np.ndarray, rng: np.random.Generator | None = None,
                 out: np.ndarray | None = None) -> tuple[torch.Tensor, ClipParams]:
        """Hand over one clip; ``rng`` is required in training and unused in evaluation.

        ``out``, a zeroed uint8 [T, S, S] array (a bag's slot, say), receives the frames.
        """
        self._check(cine, rng)
        height, width = cine.shape[1:]
        geometry = draw_geometry(height, width, self.crop, self.short_sides,
                                 rng if self.train else None)
        rows, columns = window_shape(geometry, self.crop)
        if max(rows, columns) > self.size:
            raise ValueError(f"a {height}x{width} clip needs a {rows}x{columns} source window "
                             f"but the hand-over size is {self.size}; build the Handover with "
                             "handover_size() over every frame size of the dataset")
        top, left = geometry[:, WINDOW]
        frames = np.zeros((len(cine), self.size, self.size), np.uint8) if out is None else out
        grey_levels(cine[:, top:top + rows, left:left + columns],
                    intensity_limits(cine, self.percentiles), frames[:, :rows, :columns])
        if self.train and self.augment:
            augmix = sample_augmix(rng, *self.crop, severity=self.severity)
        else:
            augmix = neutral_augmix()
        return torch.from_numpy(frames), ClipParams(torch.from_numpy(geometry),
                                                    *map(torch.from_numpy, augmix))

    def _check(self, cine: np.ndarray, rng: np.random.Generator | None) -> None:
        check_clip(cine, self.contract.frames)
        if self.train and rng is None:
            raise ValueError("a training Handover draws random crops and AugMix: "
                             "pass rng=np.random.default_rng(seed)")


def stack_params(params: list[ClipParams]) -> ClipParams:
    """Clips' parameters stacked along a new first dimension."""
    return ClipParams(*(torch.stack(field) for field in zip(*params, strict=True)))


def pad_params(params: ClipParams, size: int) -> ClipParams:
    """A bag's parameters [K] padded to ``size`` clips: the first clip's geometry (so the
    padding transforms like any clip) and no augmentation."""
    missing = size - len(params.geometry)
    mix, ops, magnitudes = (torch.from_numpy(a).expand(missing, *a.shape)
                            for a in neutral_augmix())
    padding = ClipParams(params.geometry[:1].expand(missing, -1, -1), mix, ops, magnitudes)
    return ClipParams(*(torch.cat(pair) for pair in zip(params, padding, strict=True)))
