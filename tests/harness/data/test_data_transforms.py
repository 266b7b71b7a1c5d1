"""Both clip pipelines, the CPU reference and the split path (hand-over + device transform),
give the encoder's contract: shape, dtype, value range, normalisation, the reference crop
geometry, and one AugMix per clip (every frame gets the same augmentation)."""

import numpy as np
import pytest
import torch
from cmrbench.data import scale_intensity
from cmrbench.specs import VideoInput
from torchvision.transforms import v2

CONTRACT = VideoInput(frames=16, height=24, width=24)


def noise_clip(frames=16, height=40, width=48, seed=0):
    return np.random.default_rng(seed).integers(0, 3000, (frames, height, width), dtype=np.uint16)


def still_clip(frames=16, size=40, seed=0):
    """A clip whose frames are all the same (textured) image."""
    image = noise_clip(1, size, size, seed)[0]
    return np.repeat(image[None], frames, axis=0)


def test_intensity_scaling_maps_the_robust_range_to_unit_interval_and_clips_outliers():
    clip = np.arange(1000, dtype=np.uint16).reshape(10, 10, 10)
    clip[0, 0, 0] = 60000  # one hot pixel must not squash the rest
    scaled = scale_intensity(clip)
    assert scaled.dtype == np.float32 and scaled.min() == 0.0 and scaled.max() == 1.0
    assert scaled[5, 0, 0] == pytest.approx((500 - 10.99) / (989.01 - 10.99), abs=1e-3)


def test_a_constant_clip_scales_to_zeros():
    assert not scale_intensity(np.full((4, 8, 8), 700, np.uint16)).any()


@pytest.mark.parametrize("train", [False, True])
def test_output_has_the_contract_shape_and_dtype(pipeline, train):
    contract = VideoInput(frames=16, height=24, width=40)
    video = pipeline(contract, train=train)(noise_clip(), np.random.default_rng(0))
    assert video.shape == (3, 16, 24, 40) and video.dtype == torch.float32


def test_constant_input_is_normalised_with_the_contract_mean_and_std(pipeline):
    video = pipeline(CONTRACT)(np.full((16, 32, 32), 700, np.uint16))
    torch.testing.assert_close(video, torch.full((3, 16, 24, 24), (0.0 - 0.45) / 0.225))


def test_grey_is_repeated_to_every_channel_and_mapped_onto_the_value_range(pipeline):
    contract = VideoInput(frames=16, height=24, width=24, value_range=(0.0, 255.0),
                          mean=(0.0, 0.0, 0.0), std=(1.0, 2.0, 4.0))
    video = pipeline(contract, zoom=(1.0, 1.0))(noise_clip(height=24, width=24))
    torch.testing.assert_close(video[1] * 2, video[0])
    torch.testing.assert_close(video[2] * 4, video[0])
    assert video[0].min() == 0.0 and video[0].max() == 255.0


def test_single_channel_contract_keeps_one_channel(pipeline):
    contract = VideoInput(frames=16, height=24, width=24, channels=1, mean=(0.5,), std=(0.5,))
    assert pipeline(contract)(noise_clip()).shape == (1, 16, 24, 24)


def test_eval_resizes_the_shorter_side_to_264_224ths_of_the_crop_and_center_crops(pipeline):
    clip = np.zeros((16, 48, 96), np.uint16)
    clip[:, 2:46, 20:76] = 1000  # a bright central block, dark at every edge
    video = pipeline(VideoInput(frames=16, height=24, width=24))(clip)
    # shorter side 48 -> 28 px (24 x 264/224): the block spans rows 1-27 and columns 12-44
    # of the 28 x 56 image, so the central 24 x 24 crop (rows 2-26, columns 16-40) is all bright
    torch.testing.assert_close(video, torch.full_like(video, (1.0 - 0.45) / 0.225))


def test_a_zoom_of_one_keeps_the_whole_field_of_view(pipeline):
    clip = np.full((16, 48, 48), 1000, np.uint16)
    clip[:, 2:-2, 2:-2] = 0  # a bright 2 px frame around a dark field
    whole = pipeline(CONTRACT, zoom=(1.0, 1.0))(clip)
    cropped = pipeline(CONTRACT)(clip)
    assert whole[0, 0, 0, 0] > 0 and whole[0, 0, 12, 12] < 0
    assert cropped[0, 0, 0, 0] < 0


def test_training_output_depends_only_on_the_rng_and_leaves_torch_global_rng_alone(pipeline):
    transform = pipeline(CONTRACT, train=True)
    state = torch.get_rng_state()
    first = transform(noise_clip(), np.random.default_rng(5))
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(1234)  # a different global state must not matter
    torch.testing.assert_close(transform(noise_clip(), np.random.default_rng(5)), first)
    assert not torch.equal(transform(noise_clip(), np.random.default_rng(6)), first)


def test_augmix_applies_the_same_operation_to_every_frame(pipeline):
    transform = pipeline(CONTRACT, train=True)
    for seed in range(30):
        video = transform(still_clip(seed=seed), np.random.default_rng(seed))
        assert torch.equal(video, video[:, :1].expand_as(video)), f"seed {seed}"


def test_augmix_works_on_whole_grey_levels_as_on_uint8(pipeline):
    """AugMix was designed for uint8 images: its input and output are whole grey levels."""
    video = pipeline(CONTRACT, train=True)(noise_clip(), np.random.default_rng(2))
    levels = (video * 0.225 + 0.45) * 255
    torch.testing.assert_close(levels, levels.round(), atol=1e-3, rtol=0)


def test_augmix_changes_the_clip(pipeline):
    plain = pipeline(CONTRACT, train=True, augment=False)
    augmented = pipeline(CONTRACT, train=True)
    changed = sum(not torch.equal(plain(still_clip(), np.random.default_rng(seed)),
                                  augmented(still_clip(), np.random.default_rng(seed)))
                  for seed in range(10))
    assert changed >= 8


def test_augmix_on_a_plain_tensor_would_mix_frames_differently():
    # Why the reference wraps clips as tv_tensors.Video: this is the trap it avoids.
    frames = torch.from_numpy(still_clip() // 12).to(torch.uint8).unsqueeze(1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        mixed = v2.AugMix(all_ops=False)(frames)
    assert not torch.equal(mixed, mixed[:1].expand_as(mixed))


def test_wrong_clip_shapes_and_missing_rng_are_errors_that_name_the_fix(pipeline):
    with pytest.raises(ValueError, match="uniform_frame_indices"):
        pipeline(CONTRACT)(noise_clip(frames=12))
    with pytest.raises(ValueError, match=r"\[frames, height, width\]"):
        pipeline(CONTRACT)(noise_clip()[None])
    with pytest.raises(ValueError, match="rng=np.random.default_rng"):
        pipeline(CONTRACT, train=True)(noise_clip())
    with pytest.raises(ValueError, match="has to cover the crop"):
        pipeline(CONTRACT, zoom=(0.8, 1.2))(noise_clip())
