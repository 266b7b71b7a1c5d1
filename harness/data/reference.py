"""The reference clip transform: one clip at a time on the CPU, with torchvision's own ops.

This is the pipeline the harness ran before the data path split at the device boundary, kept
as the executable specification the split path is tested and benchmarked against: the
evaluation output must agree with it within one grey level, and training draws its crops and
AugMix from the same distributions. Datasets do not use it.
"""

from __future__ import annotations

import numpy as np
import torch
from cmrbench.data.geometry import ZOOM, short_side_range
from cmrbench.data.intensity import PERCENTILES
from cmrbench.data.temporal import check_clip
from cmrbench.specs import VideoInput
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F


def scale_intensity(cine: np.ndarray, percentiles: tuple[float, float] = PERCENTILES) -> np.ndarray:
    """A clip's raw MR values mapped to [0, 1] by its own robust range (float32, clipped).

    MR signal has no absolute unit: the same tissue reads 200 on one scanner and 2,000 on
    another, and a few bright pixels (flow artefacts, fat) can be ten times the myocardium.
    Scaling each clip between its low and high percentile gives every clip comparable contrast
    whatever the scanner, and clips outliers instead of letting them push the heart to dark
    grey. A clip with no range (an all-black series) becomes all zeros.
    """
    low, high = np.percentile(cine, percentiles)
    if high <= low:
        return np.zeros(cine.shape, dtype=np.float32)
    scaled = (cine.astype(np.float32) - np.float32(low)) / np.float32(high - low)
    return np.clip(scaled, 0.0, 1.0, out=scaled)


class ReferenceClipTransform:
    """A raw clip [T, H, W] (any numeric dtype) -> float32 [C, T, H, W] for ``contract``.

    1. `scale_intensity` to [0, 1].
    2. Space, with ``crop`` the larger of the contract's height and width. Evaluation: the
       shorter side resized to ``zoom[0]`` x crop, then a center crop to height x width.
       Training: the shorter side resized to a random size in ``zoom`` x crop, a random crop,
       then (with ``augment``) torchvision's AugMix restricted to spatial ops plus
       autocontrast, equalize, posterize and solarize (no brightness, colour, contrast or
       sharpness). At ``severity`` 3 rotations stay within 6.7 degrees, shears within 3.8
       degrees (inside the reference's 20 and 5) and translations within 7.4 % of the image.
    3. [0, 1] mapped onto the contract's value_range, grey repeated to its channels, each
       channel normalised with its mean and std.

    The default ``zoom`` is the reference's (264 and 264-380 px around a 224 px crop).
    The clip passes through the random ops as one ``tv_tensors.Video``, so every frame gets the
    same crop and the same AugMix chain and mixing weights (on a plain tensor AugMix would mix
    each frame differently). AugMix runs on uint8, the input it was designed for. Training
    needs an ``rng``: its draw seeds torch inside ``torch.random.fork_rng``, so the result
    depends on that generator alone and torch's global random state is left as it was.
    """

    def __init__(self, contract: VideoInput, train: bool = False, augment: bool = True,
                 zoom: tuple[float, float] = ZOOM, percentiles: tuple[float, float] = PERCENTILES,
                 severity: int = 3) -> None:
        self.contract = contract
        self.train = train
        self.percentiles = percentiles
        self.size = [contract.height, contract.width]
        low, high = short_side_range((contract.height, contract.width), zoom)
        self.short_side = low
        self._crop = v2.Compose([v2.RandomShortestSize(list(range(low, high + 1))),
                                 v2.RandomCrop(self.size)])
        self._augmix = v2.AugMix(severity=severity, all_ops=False) if augment else None
        channels = contract.channels
        self._mean = torch.tensor(contract.mean, dtype=torch.float32).view(channels, 1, 1, 1)
        self._std = torch.tensor(contract.std, dtype=torch.float32).view(channels, 1, 1, 1)

    def __call__(self, cine: np.ndarray, rng: np.random.Generator | None = None) -> torch.Tensor:
        """Transform one clip; ``rng`` is required in training and unused in evaluation."""
        check_clip(cine, self.contract.frames)
        clip = torch.from_numpy(scale_intensity(cine, self.percentiles)).unsqueeze(1)
        if self.train:
            if rng is None:
                raise ValueError("a training ReferenceClipTransform draws random crops and AugMix: "
                                 "pass rng=np.random.default_rng(seed)")
            clip = self._random_view(clip, rng)
        else:
            clip = F.center_crop(F.resize(clip, [self.short_side], antialias=True), self.size)
        return self._to_contract(clip[:, 0])

    def _random_view(self, clip: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.integers(2**63)))
            video = self._crop(tv_tensors.Video(clip))
            if self._augmix is None:
                return video.as_subclass(torch.Tensor)
            as_uint8 = video.as_subclass(torch.Tensor).mul(255).round_().to(torch.uint8)
            mixed = self._augmix(tv_tensors.Video(as_uint8))
        return mixed.as_subclass(torch.Tensor).float().div_(255)

    def _to_contract(self, frames: torch.Tensor) -> torch.Tensor:
        low, high = self.contract.value_range
        video = (frames * (high - low) + low).unsqueeze(0)
        video = video.expand(self.contract.channels, *frames.shape)
        return ((video - self._mean) / self._std).contiguous()
