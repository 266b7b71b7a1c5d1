"""Uniform temporal subsampling: which frames of a cine become the encoder's T frames."""

from __future__ import annotations

import numpy as np


def uniform_frame_indices(n_available: int, frames: int) -> np.ndarray:
    """``frames`` indices spread evenly over the whole cycle, first and last frame included.

    Index i is floor(i · (n_available − 1) / (frames − 1)): exactly what pytorchvideo's
    ``UniformTemporalSubsample`` (the reference pipeline's) picks, computed in integers so no
    float rounding can move an index. A cine shorter than ``frames`` repeats frames in order,
    so the output always has ``frames`` entries and the clip still spans one cycle.
    """
    if n_available < 1:
        raise ValueError(f"n_available must be at least 1 frame, got {n_available}; "
                         "a cine with no frames cannot be sampled")
    if frames < 1:
        raise ValueError(f"frames must be at least 1, got {frames}")
    if frames == 1:
        return np.zeros(1, dtype=np.int64)
    return np.arange(frames, dtype=np.int64) * (n_available - 1) // (frames - 1)


def check_clip(cine: np.ndarray, frames: int) -> None:
    """A clip must be [frames, height, width] with the encoder's number of frames."""
    if cine.ndim != 3:
        raise ValueError(f"a clip must be [frames, height, width], got shape {cine.shape}")
    if cine.shape[0] != frames:
        raise ValueError(f"clip has {cine.shape[0]} frames but the encoder takes {frames}; "
                         "read the frames given by uniform_frame_indices(n_available, "
                         "contract.frames)")
