"""Random streams derived from (seed, epoch, index): reproducible and distinct per item.

Every random choice in the data pipeline draws from a generator made here, never from global
state, so an item is the same whichever DataLoader worker builds it and whatever ran before,
and no two items, epochs or purposes share a stream.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """What a stream is for: choosing views, augmenting pixels, sampling report sentences, or
    ordering an epoch (`index` 0)."""

    VIEWS = 0
    PIXELS = 1
    REPORT = 2
    ORDER = 3


def derive_rng(seed: int, epoch: int, index: int, stream: Stream) -> np.random.Generator:
    """A generator for one item's ``stream`` in one epoch of a run started with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence([seed, epoch, index, int(stream)]))
