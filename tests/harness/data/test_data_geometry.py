"""The split path's geometry: torchvision's resize sizes and crops, torch's antialiased
bilinear filter as per-clip taps, and source windows that always fit the hand-over size."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from cmrbench.data.device import resize_crop
from cmrbench.data.geometry import (
    WINDOW,
    draw_geometry,
    eval_sizes,
    handover_size,
    random_sizes,
    short_side_range,
    taps,
    window_shape,
)
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as TF

# (35, 39): the 24 px crop of its 28 x 31 resize starts at round(3.5) = 4, half to even
SHAPES = [(40, 48), (48, 40), (192, 256), (33, 201), (500, 420), (24, 24), (17, 90), (35, 39)]
CROPS = [(24, 24), (16, 24), (224, 224)]


def cut_window(frames: np.ndarray, geometry: np.ndarray, crop, size: int) -> torch.Tensor:
    """What the hand-over puts in its S x S canvas: the source window, zeros beyond it."""
    rows, columns = window_shape(geometry, crop)
    top, left = geometry[:, WINDOW]
    canvas = np.zeros((len(frames), size, size), np.uint8)
    canvas[:, :rows, :columns] = frames[:, top:top + rows, left:left + columns]
    return torch.from_numpy(canvas)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("crop", CROPS[:2])
def test_resize_crop_equals_torch_antialiased_resize_then_crop(shape, crop):
    """Independent truth: torch.nn.functional.interpolate(bilinear, antialias=True), which
    torchvision's resize calls, followed by the crop."""
    rng = np.random.default_rng(sum(shape) + sum(crop))
    frames = rng.integers(0, 256, (3, *shape), dtype=np.uint8)
    size = handover_size([shape], crop)
    short_sides = short_side_range(crop)
    for draw in (None, rng, rng):
        geometry = draw_geometry(*shape, crop, short_sides, draw)
        (_, height, top, _), (_, width, left, _) = geometry
        out = resize_crop(cut_window(frames, geometry, crop, size)[None],
                          torch.from_numpy(geometry)[None], crop)[0]
        resized = F.interpolate(torch.from_numpy(frames).float()[None], size=(height, width),
                                mode="bilinear", align_corners=False, antialias=True)[0]
        expected = resized[:, top:top + crop[0], left:left + crop[1]]
        torch.testing.assert_close(out, expected, atol=0.01, rtol=0)  # grey levels


@pytest.mark.parametrize("shape", SHAPES)
def test_sizes_and_crops_are_torchvisions(shape):
    image = torch.zeros(1, *shape)
    for crop in CROPS:
        low, high = short_side_range(crop)
        assert eval_sizes(*shape, low) == tuple(TF.resize(image, [low]).shape[1:])
        for short_side in (low, (low + high) // 2, high):
            draws = v2.RandomShortestSize([short_side]).make_params([tv_tensors.Image(image)])
            assert random_sizes(*shape, short_side) == draws["size"]
        resized = torch.arange(np.prod(eval_sizes(*shape, low))).view(eval_sizes(*shape, low))
        corner = TF.center_crop(resized[None], list(crop))[0, 0, 0]
        geometry = draw_geometry(*shape, crop, (low, high), None)
        assert divmod(int(corner), resized.shape[1]) == (geometry[0, 2], geometry[1, 2])


def test_every_window_fits_the_handover_size_and_holds_every_tap_it_weighs():
    rng = np.random.default_rng(1)
    shapes = [tuple(s) for s in rng.integers(12, 600, (60, 2))]
    for crop in CROPS:
        short_sides = short_side_range(crop)
        shapes_here = [s for s in shapes if min(s) * 2 > min(crop)]
        size = handover_size(shapes_here, crop)
        for shape in shapes_here:
            for draw in (None, rng, rng, rng):
                geometry = draw_geometry(*shape, crop, short_sides, draw)
                window = window_shape(geometry, crop)
                assert max(window) <= size
                for axis in range(2):
                    source, resized, start, first_kept = geometry[axis]
                    first, weights = taps(torch.tensor([source]), torch.tensor([resized]),
                                          start + torch.arange(crop[axis])[None])
                    read = first[..., None] + torch.arange(weights.shape[-1])
                    read = read[weights > 0]
                    assert read.min() >= first_kept and read.max() < first_kept + window[axis]
