"""The device half of the clip pipeline: hand-over frames -> the encoder's input, batched.

`BatchTransform` turns the collated uint8 frames and `ClipParams` into the float tensor an
encoder's `VideoInput` declares: the resize and crop (torch's antialiased bilinear filter,
applied as per-clip taps), AugMix in training, the grey level mapped onto the value range,
and each channel normalised, the channels an expanded view where they share mean and std.
Plain torch ops, so it runs on the CPU in tests and on the GPU in training; autocast is
switched off inside, so bf16 mixed precision cannot coarsen the pixels (the encoder still
runs under the caller's autocast). `to_device` moves a collated batch to the device.
"""

from __future__ import annotations

from typing import Any

import torch
from cmrbench.data.augmix import apply_augmix
from cmrbench.data.geometry import CROP, RESIZED, SOURCE, WINDOW, taps
from cmrbench.data.handover import ClipParams
from cmrbench.data.intensity import GREY_LEVELS
from cmrbench.specs import VideoInput


class BatchTransform(torch.nn.Module):
    """(uint8 frames [..., T, S, S], `ClipParams` [...]) -> float32 [..., C, T, H, W].

    ``train`` with ``augment`` applies each clip's AugMix; otherwise AugMix parameters are
    ignored (the crop itself is always the one the parameters describe). The leading
    dimensions are kept: [B] for clips, [B, Kmax] for padded bags (padding comes out as
    the normalised black it was). With ``memory_format`` (e.g. ``torch.channels_last_3d``)
    the output is laid out that way, materialising the channels.
    """

    def __init__(self, contract: VideoInput, train: bool = False, augment: bool = True,
                 memory_format: torch.memory_format | None = None) -> None:
        super().__init__()
        self.contract = contract
        self.augment = train and augment
        self.memory_format = memory_format
        low, high = contract.value_range
        self._scale = [(high - low) / (GREY_LEVELS * s) for s in contract.std]
        self._shift = [(low - m) / s for m, s in zip(contract.mean, contract.std, strict=True)]
        self._per_device: dict[torch.device, tuple[torch.Tensor, torch.Tensor]] = {}

    def forward(self, frames: torch.Tensor, params: ClipParams) -> torch.Tensor:
        lead = frames.shape[:-3]
        clips = frames.reshape(-1, *frames.shape[-3:])
        flat = ClipParams(*(field.reshape(clips.shape[0], *field.shape[len(lead):])
                            for field in params))
        with torch.autocast(device_type=clips.device.type, enabled=False):
            grey = resize_crop(clips, flat.geometry, (self.contract.height, self.contract.width))
            if self.augment:
                grey = apply_augmix(grey.round_(), flat.mix, flat.ops, flat.magnitudes)
            video = self._normalise(grey)
        if self.memory_format is not None:
            video = video.contiguous(memory_format=self.memory_format)
        return video.view(*lead, *video.shape[1:])

    def _normalise(self, grey: torch.Tensor) -> torch.Tensor:
        """Grey levels [N, T, H, W] -> [N, C, T, H, W] in the contract's normalised units."""
        channels = self.contract.channels
        if len(set(self._scale)) == 1 and len(set(self._shift)) == 1:
            one = grey.mul(self._scale[0]).add_(self._shift[0]).unsqueeze(1)
            return one.expand(-1, channels, *grey.shape[1:])
        if grey.device not in self._per_device:  # copied once, not waited for every batch
            self._per_device[grey.device] = tuple(
                torch.tensor(v).view(1, channels, 1, 1, 1).to(grey.device)
                for v in (self._scale, self._shift))
        scale, shift = self._per_device[grey.device]
        return grey.unsqueeze(1) * scale + shift


def resize_crop(clips: torch.Tensor, geometry: torch.Tensor, crop: tuple[int, int]
                ) -> torch.Tensor:
    """Resize and crop uint8 hand-over clips [N, T, S, S] as ``geometry`` [N, 2, 4] says.

    Float32 grey levels [N, T, H, W] out. Rows then columns, each output pixel the weighted
    sum of its K source taps (gathered from the window), in float32 on every device: no
    tensor-core or reduced-precision matmul can move a pixel.
    """
    geometry = geometry.cpu()
    grey = clips.float()
    for axis, out in enumerate(crop):
        source, resized, start, window = (geometry[:, axis, i] for i in (SOURCE, RESIZED, CROP,
                                                                         WINDOW))
        first, weights = taps(source, resized, start[:, None] + torch.arange(out))
        index = first[..., None] + torch.arange(weights.shape[-1]) - window[:, None, None]
        index = index.clamp_(0, clips.shape[-1] - 1).to(clips.device, non_blocking=True)
        weights = weights.float().to(clips.device, non_blocking=True)
        grey = _apply_taps(grey, index, weights, dim=2 + axis)
    return grey


def _apply_taps(grey: torch.Tensor, index: torch.Tensor, weights: torch.Tensor,
                dim: int) -> torch.Tensor:
    """out[..., p, ...] = sum_k weights[n, p, k] * grey[..., index[n, p, k], ...] along dim."""
    view = [grey.shape[0], 1, 1, 1]
    view[dim] = index.shape[1]
    shape = list(grey.shape)
    shape[dim] = index.shape[1]
    out = None
    for k in range(index.shape[-1]):
        tap = torch.gather(grey, dim, index[..., k].view(view).expand(shape))
        term = tap.mul_(weights[..., k].view(view))
        out = term if out is None else out.add_(term)
    return out


def to_device(batch: dict[str, Any], device: torch.device | str) -> dict[str, Any]:
    """A collated batch with its tensors on ``device``, copied without blocking the host.

    Copies overlap with compute when the batch is in pinned memory (`make_loader` pins for
    CUDA). `ClipParams` stay on the CPU: `BatchTransform` plans its work from them there
    and moves the little it needs, so the host never waits for the device.
    """
    return {key: value.to(device, non_blocking=True) if isinstance(value, torch.Tensor)
            else value for key, value in batch.items()}
