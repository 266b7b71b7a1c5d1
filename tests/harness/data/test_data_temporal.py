"""Uniform temporal subsampling picks T frames spread over the whole cycle."""

import numpy as np
import pytest
import torch
from cmrbench.data import uniform_frame_indices


@pytest.mark.parametrize(("n_available", "expected"), [
    (30, [0, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29]),
    (50, [0, 3, 6, 9, 13, 16, 19, 22, 26, 29, 32, 35, 39, 42, 45, 49]),
    (12, [0, 0, 1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 11]),
    (16, list(range(16))),
])
def test_sixteen_frames_from_a_cycle(n_available, expected):
    assert uniform_frame_indices(n_available, 16).tolist() == expected


def test_first_and_last_frame_always_included_and_order_kept():
    for n in range(1, 120):
        indices = uniform_frame_indices(n, 16)
        assert len(indices) == 16 and indices[0] == 0 and indices[-1] == n - 1
        assert np.all(np.diff(indices) >= 0)


def test_a_short_cine_uses_every_frame():
    assert set(uniform_frame_indices(12, 16).tolist()) == set(range(12))


def test_matches_pytorchvideo_uniform_temporal_subsample():
    # pytorchvideo (the reference's pipeline): linspace(0, n - 1, T), clamped, truncated
    for frames in (1, 8, 16, 32):
        for n in range(1, 301):
            theirs = torch.linspace(0, n - 1, frames).clamp(0, n - 1).long().numpy()
            np.testing.assert_array_equal(uniform_frame_indices(n, frames), theirs)


def test_no_frames_is_an_error_that_says_so():
    with pytest.raises(ValueError, match="n_available"):
        uniform_frame_indices(0, 16)
    with pytest.raises(ValueError, match="frames"):
        uniform_frame_indices(10, 0)
