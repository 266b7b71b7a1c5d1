"""One series of a cmr_toolkit HDF5 file as a [slices, frames, height, width] cine.

The convention, from rohanshad/cmr_toolkit ``utils/preprocess_mri.py``:

- Each series' frames are sorted by SliceLocation, then InstanceNumber, and concatenated along
  the frame axis, so a multi-slice series (a SAX stack) is its slices one after another.
- ``slice_frames`` holds every index ``i`` where frame ``i + 1`` lies at another slice
  location than frame ``i``: the last frame of each slice but the final one, so slices start
  at 0 and at ``slice_frames + 1``. Empty for a single-slice cine.
- ``total_images`` counts the series' DICOM files, read or not: never fewer than the frames.
- Arrays: "rgb" mode stores float32 ``[frames, 3, h, w]`` (grey repeated into three equal
  channels); "grey" mode ``[frames, h, w]`` uint8, rescaled 0-255 over the whole series; the
  2023 version (the reference paper's) stored rgb channels first, ``[3, frames, h, w]``.

No pixel spacing, slice position or frame time survives, so none is returned.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import h5py
import numpy as np
from cmrbench.ingest import Rejection

CHANNELS = 3
MIN_FRAMES = 2  # a slice with one frame is a still image (localiser, LGE, T2), not a cine


class SeriesProblem(Exception):
    """A series that does not follow the convention: ``reason`` for the report, and why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class SeriesCine:
    """A series split into slices, the array mode it was stored in, and the slices left out."""

    cine: np.ndarray  # [slices, frames, height, width]
    mode: str
    dropped: list[Rejection]


def read_series(name: str, dataset: h5py.Dataset) -> SeriesCine:
    """The series ``dataset`` (reported as ``name``) split by its ``slice_frames``.

    Slices whose frame count differs from the most common one are dropped and reported;
    raises :class:`SeriesProblem` when the series cannot be used at all.
    """
    for attribute in ("slice_frames", "total_images"):
        if attribute not in dataset.attrs:
            raise SeriesProblem("missing attribute", f"no {attribute!r} attribute; is this a "
                                                     "cmr_toolkit file (utils/preprocess_mri.py)?")
    frames, mode = grey_frames(dataset[()])
    total = int(np.asarray(dataset.attrs["total_images"]))
    if len(frames) > total:
        raise SeriesProblem("inconsistent total_images",
                            f"{len(frames)} frames but total_images is {total}")
    bounds = slice_bounds(np.asarray(dataset.attrs["slice_frames"]).ravel(), len(frames))
    cine, dropped = stack_slices(name, frames, bounds)
    return SeriesCine(cine, mode, dropped)


def grey_frames(array: np.ndarray) -> tuple[np.ndarray, str]:
    """[frames, h, w] from either mode, and the mode's name; the rgb channels must be equal."""
    if not np.issubdtype(array.dtype, np.number):
        raise SeriesProblem("unsupported array", f"dtype {array.dtype} holds no pixel values")
    if array.ndim == 3:
        frames, mode = array, "grey"
    elif array.ndim == 4:
        frames, mode = _one_channel(array)
    else:
        raise SeriesProblem("unsupported array", f"shape {array.shape}: expected [frames, 3, "
                                                 "h, w] (rgb) or [frames, h, w] (grey)")
    if np.issubdtype(frames.dtype, np.floating) and not np.isfinite(frames).all():
        raise SeriesProblem("unsupported array", "NaN or infinite pixel values")
    return frames, mode


def _one_channel(array: np.ndarray) -> tuple[np.ndarray, str]:
    """Channels on axis 1 (current toolkit) or axis 0 (its 2023 version), all three equal."""
    for axis, mode in ((1, "rgb"), (0, "rgb-channels-first")):
        if array.shape[axis] != CHANNELS:
            continue
        channels = np.moveaxis(array, axis, 0)
        if all(np.array_equal(channels[0], channels[c]) for c in range(1, CHANNELS)):
            return channels[0], mode
    raise SeriesProblem("unsupported array", f"shape {array.shape}: an rgb series has three "
                                             "equal channels on axis 1 (or axis 0)")


def slice_bounds(slice_frames: np.ndarray, n_frames: int) -> list[tuple[int, int]]:
    """(start, stop) of every slice: each slice ends at a ``slice_frames`` index, inclusive."""
    ends = [int(i) for i in slice_frames]
    if any(b <= a for a, b in zip(ends, ends[1:], strict=False)) or any(
            not 0 <= i < n_frames - 1 for i in ends):
        raise SeriesProblem("inconsistent slice_frames",
                            f"{ends} must rise strictly within 0..{n_frames - 2} for "
                            f"{n_frames} frames")
    starts = [0] + [i + 1 for i in ends]
    return list(zip(starts, [*starts[1:], n_frames], strict=True))


def stack_slices(name: str, frames: np.ndarray, bounds: list[tuple[int, int]]
                 ) -> tuple[np.ndarray, list[Rejection]]:
    """Slices of the most common length, in stored order; every other slice is reported."""
    lengths = [stop - start for start, stop in bounds]
    counts = Counter(lengths)
    common = max(counts, key=lambda n: (counts[n], n))  # ties: the longer cine
    if common < MIN_FRAMES:
        raise SeriesProblem("not a cine", f"{common} frame(s) per slice over {len(bounds)} "
                                          "slice(s): a still image")
    dropped = [Rejection(name, "inconsistent geometry",
                         f"slice {k + 1} of {len(bounds)} has {n} frames, the others {common}")
               for k, n in enumerate(lengths) if n != common]
    kept = [frames[start:stop] for (start, stop), n in zip(bounds, lengths, strict=True)
            if n == common]
    return np.stack(kept), dropped
