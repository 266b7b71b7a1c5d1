"""Token grids map back onto the clip at each token's receptive-field centre.

Independent truth: autograd. The input pixels a strided convolution's output token depends on
are found from the gradient of that token; their centre is where ``Axis.then`` must put it.
"""

import torch
from cmrbench.explain.tokens import Axis, TokenGrid, interpolation_matrix, to_clip
from torch import nn


def receptive_centre(layers: nn.Module, shape: tuple[int, ...], token: tuple[int, ...]
                     ) -> list[float]:
    x = torch.zeros(1, 1, *shape, requires_grad=True)
    out = layers(x)
    out[(0, 0, *token)].backward()
    support = (x.grad[0, 0] != 0).nonzero().float()
    return ((support.min(0).values + support.max(0).values) / 2).tolist()


def test_a_token_sits_at_the_centre_of_its_receptive_field():
    patch = nn.Conv3d(1, 1, (3, 7, 7), (2, 4, 4), (1, 3, 3))
    pool = nn.Conv3d(1, 1, (3, 3, 3), (1, 2, 2), (1, 1, 1))
    nn.init.constant_(patch.weight, 1.0)
    nn.init.constant_(pool.weight, 1.0)
    grid = TokenGrid().then(patch).then(pool)
    for token in [(2, 1, 2), (2, 3, 1), (2, 2, 6)]:  # interior: no padding in the field
        expected = [a.offset + a.step * i for a, i in zip(grid.axes, token, strict=True)]
        assert receptive_centre(nn.Sequential(patch, pool), (8, 64, 64), token) == expected


def test_interpolation_passes_through_token_centres_and_keeps_mass_per_pixel():
    axis = Axis(offset=0.0, step=8.0)
    matrix = interpolation_matrix(4, axis, 32)
    assert torch.allclose(matrix.sum(1), torch.ones(32, dtype=torch.float64))
    for i in range(4):
        assert matrix[8 * i, i] == 1.0  # exactly the token's value at its centre
    assert matrix[4, 0] == matrix[4, 1] == 0.5  # half-way between two centres
    assert (matrix[24:, 3] == 1.0).all()  # held beyond the last centre
    shifted = interpolation_matrix(4, Axis(offset=3.5, step=8.0), 32)
    assert (shifted[:4, 0] == 1.0).all()  # held before the first centre


def test_a_map_comes_back_at_the_clips_size_peaking_at_its_token():
    maps = torch.zeros(2, 2, 4, 4)
    maps[1, 1, 1, 2] = 1.0
    grid = TokenGrid((Axis(0, 2), Axis(0, 8), Axis(0, 8)))
    clip = to_clip(maps, grid, (4, 32, 32))
    assert clip.shape == (2, 4, 32, 32)
    assert tuple((clip[1] == clip[1].max()).nonzero()[0].tolist()) == (2, 8, 16)
