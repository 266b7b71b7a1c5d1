"""AugMix on the device is torchvision's AugMix (the reference's) split in two: the same
draws, and given those draws the same pixels.

- Pixels: with one set of draws, `apply_augmix` equals a reference composed of torchvision's
  own functional ops on a ``tv_tensors.Video``, mixed as ``v2.AugMix.forward`` mixes.
- Draws: the distributions `sample_augmix` and the geometry draw from equal those torchvision
  draws, recorded from ``v2.AugMix``, ``RandomShortestSize`` and ``RandomCrop`` themselves
  (two-sample chi-square and Kolmogorov-Smirnov tests, fixed seeds, so the verdict is
  repeatable; 1,500 clips make an off-by-one level, a biased sign or a wrong depth range fail
  with p < 1e-6, while the tests pass at p > 0.001).
- End to end: training outputs of the split path and of `ReferenceClipTransform` on the same
  clip have the same distributions of brightness, contrast, black fraction and centroid.
"""

import math

import numpy as np
import pytest
import torch
from cmrbench.data import BatchTransform, Handover
from cmrbench.data.augmix import (
    AUTOCONTRAST,
    OPS,
    POSTERIZE,
    ROTATE,
    SHEAR_X,
    SHEAR_Y,
    SIGNED,
    SOLARIZE,
    TRANSLATE_X,
    TRANSLATE_Y,
    apply_augmix,
    sample_augmix,
)
from cmrbench.data.geometry import draw_geometry, handover_size, short_side_range
from cmrbench.data.handover import stack_params
from cmrbench.specs import VideoInput
from scipy import stats
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

DRAWS = 1500
SAMPLES = 300  # end-to-end clips per pipeline
P_PASS = 1e-3
HEIGHT, WIDTH = 24, 30  # different, so TranslateX and TranslateY differ


def torchvision_op(video: torch.Tensor, op: int, value: float) -> torch.Tensor:
    """One AugMix operation exactly as torchvision's AugMix calls it (bilinear, zero fill)."""
    bilinear = F.InterpolationMode.BILINEAR
    if op in (SHEAR_X, SHEAR_Y):
        shear = [math.degrees(math.atan(value)), 0.0]
        return F.affine(video, angle=0.0, translate=[0, 0], scale=1.0,
                        shear=shear if op == SHEAR_X else shear[::-1], interpolation=bilinear,
                        center=[0, 0])
    if op in (TRANSLATE_X, TRANSLATE_Y):
        shift = [int(value), 0]
        return F.affine(video, angle=0.0, translate=shift if op == TRANSLATE_X else shift[::-1],
                        scale=1.0, shear=[0.0, 0.0], interpolation=bilinear)
    if op == ROTATE:
        return F.rotate(video, angle=value, interpolation=bilinear)
    if op == POSTERIZE:
        return F.posterize(video, bits=int(value))
    if op == SOLARIZE:
        return F.solarize(video, threshold=value)
    return F.autocontrast(video) if op == AUTOCONTRAST else F.equalize(video)


def torchvision_augmix(clip: torch.Tensor, mix, ops, magnitudes) -> torch.Tensor:
    """A uint8 clip [T, H, W] through the chains with torchvision's ops, mixed as
    ``v2.AugMix.forward`` does (weights times uint8 images summed in float32, truncated)."""
    video = tv_tensors.Video(clip[:, None])
    mixed = float(mix[0]) * video.as_subclass(torch.Tensor).float()
    for chain in range(ops.shape[0]):
        augmented = video
        for op, value in zip(ops[chain].tolist(), magnitudes[chain].tolist(), strict=True):
            if op >= 0:
                augmented = torchvision_op(augmented, op, value)
        mixed += float(mix[chain + 1]) * augmented.as_subclass(torch.Tensor).float()
    return mixed.to(torch.uint8)[:, 0]


def structured_clips(count: int, frames: int = 3, seed: int = 0) -> torch.Tensor:
    """uint8 clips with texture, a dark border, a gradient and saturated spots, so every
    operation (fill, equalize, autocontrast, solarize thresholds) has work to do."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(20, 220, WIDTH)[None, None, :]
    clips = rng.normal(ramp, 25, (count, frames, HEIGHT, WIDTH))
    clips[:, :, :3] = 5
    clips[:, :, -4:, -4:] = 255
    return torch.from_numpy(np.clip(clips, 0, 255).round().astype(np.uint8))


def stacked_draws(count: int, seed: int) -> tuple[torch.Tensor, ...]:
    rng = np.random.default_rng(seed)
    draws = [sample_augmix(rng, HEIGHT, WIDTH) for _ in range(count)]
    return tuple(torch.from_numpy(np.stack(part)) for part in zip(*draws, strict=True))


def test_with_the_same_draws_the_pixels_are_torchvisions():
    clips = structured_clips(60)
    mix, ops, magnitudes = stacked_draws(60, seed=1)
    ours = apply_augmix(clips.float(), mix, ops, magnitudes)
    theirs = torch.stack([torchvision_augmix(clip, *draw)
                          for clip, *draw in zip(clips, mix, ops, magnitudes, strict=True)])
    difference = (ours - theirs.float()).abs()
    # a shear's sampling grid may land on x.5 a hair apart from torchvision's and round the
    # other way; nothing else differs
    assert difference.max() <= 1 and (difference > 0).float().mean() < 1e-3


@pytest.mark.parametrize("op", range(len(OPS)), ids=OPS)
def test_each_operation_alone_is_torchvisions(op):
    clips = structured_clips(4, seed=op)
    for level, sign in ((1, -1), (2, 1)):
        value = {SHEAR_X: 0.0667, SHEAR_Y: 0.0333, TRANSLATE_X: 2.0, TRANSLATE_Y: 1.0,
                 ROTATE: 6.67, POSTERIZE: 3.0 + level % 2, SOLARIZE: 198.3 + 28 * level}.get(op, 0)
        value *= sign if op in SIGNED else 1
        ops = torch.full((4, 3, 3), -1)
        ops[:, 1, 0] = op
        magnitudes = torch.zeros(4, 3, 3)
        magnitudes[:, 1, 0] = value
        mix = torch.tensor([[0.0, 0.0, 1.0, 0.0]]).expand(4, 4)
        ours = apply_augmix(clips.float(), mix, ops, magnitudes)
        theirs = torch.stack([torchvision_op(tv_tensors.Video(c[:, None]), op, value)[:, 0]
                              for c in clips]).float()
        difference = (ours - theirs).abs()
        assert difference.max() <= (1 if op in (SHEAR_X, SHEAR_Y) else 0)
        assert (difference > 0).float().mean() < 0.01


class RecordingAugMix(v2.AugMix):
    """torchvision's AugMix, recording what it draws: the Dirichlet samples and, per chain
    (a chain starts where an operation receives the original clip's pixels, not a previous
    operation's output), each (op, magnitude). The operations themselves are skipped (a copy
    stands in for their output): what they do is tested above, and the draws do not depend
    on it."""

    def __init__(self) -> None:
        super().__init__(severity=3, all_ops=False)
        self.dirichlet: list[torch.Tensor] = []
        self.chains: list[list[tuple[int, float]]] = []

    def _sample_dirichlet(self, params: torch.Tensor) -> torch.Tensor:
        sample = super()._sample_dirichlet(params)
        self.dirichlet.append(sample[0])
        return sample

    def _apply_image_or_video_transform(self, image, transform_id, magnitude, **kwargs):
        if image.data_ptr() == self.original:
            self.chains.append([])
        self.chains[-1].append((OPS.index(transform_id), magnitude))
        return image.clone()

    def forward(self, video):
        self.original = video.data_ptr()
        return super().forward(video)


@pytest.fixture(scope="module")
def torchvision_draws() -> dict[str, np.ndarray]:
    """DRAWS clips' AugMix draws from torchvision: original weight, chain weights (before
    scaling), depths and (op, final magnitude) of every operation."""
    augmix = RecordingAugMix()
    video = tv_tensors.Video(torch.zeros(1, 1, HEIGHT, WIDTH, dtype=torch.uint8))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for _ in range(DRAWS):
            augmix(video)
    final = {TRANSLATE_X: lambda value: float(int(value)), SOLARIZE: lambda value: 255 * value,
             TRANSLATE_Y: lambda value: float(int(value))}  # as the operations apply them
    operations = [(op, final.get(op, float)(value)) for chain in augmix.chains
                  for op, value in chain]
    return summarise(np.stack([d.numpy() for d in augmix.dirichlet[0::2]])[:, 0],
                     np.stack([d.numpy() for d in augmix.dirichlet[1::2]]),
                     [len(chain) for chain in augmix.chains], operations)


@pytest.fixture(scope="module")
def our_draws() -> dict[str, np.ndarray]:
    mix, ops, magnitudes = (t.numpy() for t in stacked_draws(DRAWS, seed=2))
    chain_weights = mix[:, 1:] / mix[:, 1:].sum(1, keepdims=True)
    real = ops >= 0
    return summarise(mix[:, 0], chain_weights, list(real.sum(2).ravel()),
                     list(zip(ops[real].tolist(), magnitudes[real].tolist(), strict=True)))


def summarise(original, chain_weights, depths, operations) -> dict[str, np.ndarray]:
    """Categorical draws as category labels, continuous ones as samples."""
    return {"original weight": np.asarray(original, np.float64),
            "chain weight": np.asarray(chain_weights, np.float64)[:, 0],
            "depth": np.asarray(depths),
            "operation": np.array([f"{OPS[op]} {round(value, 3) + 0.0:g}"
                                   for op, value in operations])}


def chi_square_p(first: np.ndarray, second: np.ndarray) -> float:
    """Two-sample chi-square test of equal categorical distributions."""
    categories = sorted(set(first) | set(second))
    table = [[np.sum(sample == c) for c in categories] for sample in (first, second)]
    return stats.chi2_contingency(table).pvalue


@pytest.mark.parametrize("draw", ["depth", "operation"])
def test_depths_operations_magnitudes_and_signs_are_drawn_like_torchvisions(
        torchvision_draws, our_draws, draw):
    assert set(our_draws[draw]) == set(torchvision_draws[draw])
    assert chi_square_p(our_draws[draw], torchvision_draws[draw]) > P_PASS


@pytest.mark.parametrize("draw", ["original weight", "chain weight"])
def test_mixing_weights_are_drawn_like_torchvisions(torchvision_draws, our_draws, draw):
    assert stats.ks_2samp(our_draws[draw], torchvision_draws[draw]).pvalue > P_PASS


@pytest.mark.parametrize("shape", [(192, 256), (40, 48)])
def test_crop_scales_and_offsets_are_drawn_like_torchvisions(shape):
    crop = (24, 24) if shape == (40, 48) else (224, 224)
    low, high = short_side_range(crop)
    resize, cropper = v2.RandomShortestSize(list(range(low, high + 1))), v2.RandomCrop(crop)
    theirs = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for _ in range(DRAWS):
            size = resize.make_params([tv_tensors.Image(torch.zeros(1, *shape))])["size"]
            where = cropper.make_params([tv_tensors.Image(torch.zeros(1, *size))])
            theirs.append((*size, where["top"], where["left"]))
    rng = np.random.default_rng(3)
    ours = [(g[0, 1], g[1, 1], g[0, 2], g[1, 2])
            for g in (draw_geometry(*shape, crop, (low, high), rng) for _ in range(DRAWS))]
    theirs, ours = np.array(theirs), np.array(ours)
    assert chi_square_p(ours[:, 0] * 10_000 + ours[:, 1],
                        theirs[:, 0] * 10_000 + theirs[:, 1]) > P_PASS
    for axis in range(2):  # offsets as a fraction of the room the crop has
        spread = [sizes[:, 2 + axis] / (sizes[:, axis] - crop[axis] + 1) for sizes in (ours,
                                                                                     theirs)]
        assert stats.ks_2samp(*spread).pvalue > P_PASS


def output_statistics(videos: torch.Tensor) -> dict[str, np.ndarray]:
    """Per training output [N, C, T, H, W]: brightness, contrast, black fraction, centroid."""
    grey = videos[:, 0] * 0.225 + 0.45
    rows = torch.arange(grey.shape[-2], dtype=torch.float32)[:, None]
    columns = torch.arange(grey.shape[-1], dtype=torch.float32)
    mass = grey.sum((-2, -1)).clamp(min=1e-6)
    return {"mean": grey.mean((1, 2, 3)), "std": grey.std((1, 2, 3)),
            "black": (grey < 1 / 255).float().mean((1, 2, 3)),
            "row centroid": ((grey * rows).sum((-2, -1)) / mass).mean(1),
            "column centroid": ((grey * columns).sum((-2, -1)) / mass).mean(1)}


def test_training_outputs_are_distributed_like_the_references(reference):
    contract = VideoInput(frames=2, height=24, width=24)
    ramp = np.linspace(100, 3000, 48)[None, None, :] + np.linspace(0, 900, 40)[None, :, None]
    cine = np.repeat(ramp, 2, axis=0).astype(np.uint16)
    cine[:, 5:12, 30:40] = 4000  # a bright blob off centre
    handover = Handover(contract, handover_size([cine.shape[1:]], (24, 24)), train=True)
    frames, params = zip(*(handover(cine, np.random.default_rng([seed, 1]))
                           for seed in range(SAMPLES)), strict=True)
    split = BatchTransform(contract, train=True)(torch.stack(frames), stack_params(params))
    transform = reference(contract, train=True)
    theirs = torch.stack([transform(cine, np.random.default_rng([seed, 2]))
                          for seed in range(SAMPLES)])
    ours, theirs = output_statistics(split), output_statistics(theirs)
    for statistic in ours:
        assert stats.ks_2samp(ours[statistic], theirs[statistic]).pvalue > P_PASS, statistic
