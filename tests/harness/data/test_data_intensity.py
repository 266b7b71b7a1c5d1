"""Intensity limits from an exact histogram equal numpy's percentiles bit for bit, and the
hand-over grey levels are the reference's [0, 1] scaling within half a grey level."""

import numpy as np
import pytest
from cmrbench.data import intensity_limits, scale_intensity
from cmrbench.data.intensity import grey_levels

rng = np.random.default_rng(0)
CLIPS = {
    "uniform": rng.integers(0, 4000, (16, 40, 48), dtype=np.uint16),
    "skewed": np.minimum(rng.exponential(300, (16, 33, 29)), 65535).astype(np.uint16),
    "two values": rng.choice(np.array([7, 900], np.uint16), (5, 8, 9)),
    "constant": np.full((4, 8, 8), 700, np.uint16),
    "full range": rng.integers(60000, 65536, (3, 17, 13), dtype=np.uint16),
    "uint8": rng.integers(0, 256, (16, 20, 20), dtype=np.uint8),
    "one pixel": np.array([[[1234]]], np.uint16),
}


@pytest.mark.parametrize("name", CLIPS)
@pytest.mark.parametrize("percentiles", [(1.0, 99.0), (0.0, 100.0), (37.5, 50.0), (0.3, 99.9)])
def test_limits_equal_numpy_percentile_bit_for_bit(name, percentiles):
    """numpy's default ('linear') percentile is the convention the reference scaling used."""
    clip = CLIPS[name]
    assert intensity_limits(clip, percentiles) == tuple(np.percentile(clip, percentiles))


def test_float_clips_take_numpy_percentile():
    clip = rng.normal(100.0, 30.0, (16, 12, 12)).astype(np.float32)
    assert intensity_limits(clip) == tuple(np.percentile(clip, (1.0, 99.0)))


@pytest.mark.parametrize("name", ["uniform", "skewed", "full range", "constant"])
def test_grey_levels_are_the_reference_scaling_within_half_a_level(name):
    clip = CLIPS[name]
    window = (slice(None), slice(2, -3), slice(1, -2))
    out = np.full((len(clip), 64, 64), 77, np.uint8)  # a larger canvas: only the window is set
    rows, columns = clip[window].shape[1:]
    grey_levels(clip[window], intensity_limits(clip), out[:, :rows, :columns])
    expected = scale_intensity(clip)[window] * 255
    assert np.abs(out[:, :rows, :columns] - expected).max() <= 0.5 + 1e-4
    assert (out[:, rows:] == 77).all() and (out[:, :, columns:] == 77).all()
