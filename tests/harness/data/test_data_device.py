"""The device transform: the evaluation output equals the CPU reference's within the
hand-over's quantisation, whatever the frame size, contract or autocast, and batches keep
their layout."""

import numpy as np
import pytest
import torch
from cmrbench.data import BatchTransform, ClipParams, Handover, to_device
from cmrbench.data.augmix import apply_augmix, sample_augmix
from cmrbench.data.device import resize_crop
from cmrbench.data.geometry import handover_size
from cmrbench.data.handover import stack_params
from cmrbench.specs import VideoInput

rng = np.random.default_rng(0)
SHAPES = [(40, 48), (48, 40), (60, 200), (201, 33), (300, 260), (24, 24)]
CONTRACTS = {
    "square": VideoInput(frames=8, height=24, width=24),
    "wide": VideoInput(frames=8, height=16, width=40),
    "per-channel std": VideoInput(frames=8, height=24, width=24, value_range=(0.0, 255.0),
                                  mean=(100.0, 110.0, 120.0), std=(50.0, 60.0, 70.0)),
    "grey": VideoInput(frames=8, height=20, width=20, channels=1, mean=(0.5,), std=(0.25,)),
}


def grey_levels(video: torch.Tensor, contract: VideoInput) -> torch.Tensor:
    """Undo the contract's normalisation: the grey level 0..255 of each pixel."""
    mean, std = (torch.tensor(v).view(-1, 1, 1, 1) for v in (contract.mean, contract.std))
    low, high = contract.value_range
    return ((video * std + mean) - low) / (high - low) * 255


@pytest.mark.parametrize("name", CONTRACTS)
def test_eval_output_equals_the_reference_within_half_a_grey_level(split, reference, name):
    """The split path quantises the scaled clip to uint8 before resizing, the reference after;
    the resize is a convex combination, so the outputs differ by at most half a level (the
    requirement is one). Frames larger and smaller than the crop, either way round, and a
    float32 store's clip (intensity limits from np.percentile)."""
    contract = CONTRACTS[name]
    for shape, dtype in [(shape, np.uint16) for shape in SHAPES] + [(SHAPES[2], np.float32)]:
        cine = (rng.gamma(2.0, 400.0, (8, *shape)) + 0.5).astype(dtype)
        ours, theirs = (grey_levels(make(contract)(cine), contract)
                        for make in (split, reference))
        assert (ours - theirs).abs().max() <= 0.5 + 1e-3, f"{shape} {dtype.__name__}"


def handed_over(contract: VideoInput, count: int, train: bool = True):
    """``count`` noise clips handed over for ``contract``, seeds 0..count-1."""
    cines = rng.integers(0, 3000, (count, contract.frames, 60, 50), dtype=np.uint16)
    handover = Handover(contract, handover_size([(60, 50)], (contract.height, contract.width)),
                        train=train)
    frames, params = zip(*(handover(cine, np.random.default_rng(seed))
                           for seed, cine in enumerate(cines)), strict=True)
    return torch.stack(frames), stack_params(params)


def test_bf16_autocast_leaves_the_pixels_alone():
    """Eight clips' draws include shears, translations and rotations, whose sampling grids
    CPU autocast would compute in bf16. Truth: the transform's steps run in float32 outside
    any autocast."""
    contract = CONTRACTS["square"]
    frames, params = handed_over(contract, 8)
    assert (params.ops[..., None] == torch.tensor([0, 1, 2, 3, 4])).any()
    crop = resize_crop(frames, params.geometry, (24, 24)).round_()
    expected = apply_augmix(crop, params.mix, params.ops, params.magnitudes)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        video = BatchTransform(contract, train=True)(frames, params)
    assert video.dtype == torch.float32
    torch.testing.assert_close(grey_levels(video, contract)[:, 0], expected, atol=1e-3, rtol=0)


def test_training_quantises_the_crop_to_whole_grey_levels_before_augmix():
    """The reference converts the crop to uint8 before AugMix: a clip whose draws keep all
    the weight on the original comes out as the crop rounded to whole levels."""
    contract = CONTRACTS["square"]
    frames, params = handed_over(contract, 4)
    kept = ClipParams(params.geometry, torch.tensor([[1.0, 0, 0, 0]]).expand(4, 4),
                      torch.full_like(params.ops, -1), torch.zeros_like(params.magnitudes))
    crop = grey_levels(BatchTransform(contract, train=True, augment=False)(frames, kept),
                       contract)
    augmixed = grey_levels(BatchTransform(contract, train=True)(frames, kept), contract)
    assert (crop - crop.round()).abs().max() > 0.1  # the crop itself has fractional levels
    clear = ((crop - crop.floor()) - 0.5).abs() > 1e-3  # ties may round either way
    torch.testing.assert_close(augmixed[clear], crop.round()[clear], atol=1e-3, rtol=0)


def batch_of(frames: torch.Tensor, lead: tuple[int, ...], size: int) -> ClipParams:
    """Training parameters for clips of ``frames`` [..., T, S, S] cut from size x size
    frames with the default zoom (window at the top left)."""
    count = int(np.prod(lead))
    geometry = torch.tensor([[size, 28, 2, 0], [size, 28, 2, 0]]).expand(count, 2, 4)
    draws = [sample_augmix(rng, 24, 24) for _ in range(count)]
    mix, ops, magnitudes = (torch.from_numpy(np.stack(a)) for a in zip(*draws, strict=True))
    return ClipParams(*(f.reshape(*lead, *f.shape[1:]) for f in (geometry, mix, ops,
                                                                  magnitudes)))


def test_leading_dimensions_are_kept_and_each_clip_is_transformed_alone():
    contract = CONTRACTS["square"]
    frames = torch.from_numpy(rng.integers(0, 256, (2, 3, 8, 24, 24), dtype=np.uint8))
    params = batch_of(frames, (2, 3), 24)
    transform = BatchTransform(contract, train=True)
    video = transform(frames, params)
    assert video.shape == (2, 3, 3, 8, 24, 24)
    alone = transform(frames[1, 2], ClipParams(*(f[1, 2] for f in params)))
    torch.testing.assert_close(video[1, 2], alone)


def test_channels_are_an_expanded_view_unless_a_memory_format_is_asked_for():
    contract = CONTRACTS["square"]
    frames = torch.from_numpy(rng.integers(0, 256, (2, 8, 24, 24), dtype=np.uint8))
    params = batch_of(frames, (2,), 24)
    shared = BatchTransform(contract)(frames, params)
    assert shared.stride(1) == 0
    laid_out = BatchTransform(contract, memory_format=torch.channels_last_3d)(frames, params)
    assert laid_out.is_contiguous(memory_format=torch.channels_last_3d)
    torch.testing.assert_close(laid_out, shared)


def test_to_device_moves_tensors_and_keeps_clip_params_on_the_host():
    frames = torch.zeros(2, 8, 24, 24, dtype=torch.uint8)
    batch = {"frames": frames, "params": batch_of(frames, (2,), 24),
             "mask": torch.ones(2, 1, dtype=torch.bool), "study_id": ["a", "b"]}
    moved = to_device(batch, "meta")
    assert moved["frames"].device.type == moved["mask"].device.type == "meta"
    assert all(field.device.type == "cpu" for field in moved["params"])
    assert moved["study_id"] == ["a", "b"]


def test_a_window_larger_than_the_handover_size_is_an_error_that_names_the_fix():
    contract = CONTRACTS["square"]
    cine = rng.integers(0, 3000, (8, 60, 50), dtype=np.uint16)
    with pytest.raises(ValueError, match=r"needs a \d+x\d+ source window.*handover_size\(\)"):
        Handover(contract, size=10)(cine)
