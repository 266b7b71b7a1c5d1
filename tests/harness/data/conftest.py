"""The two implementations of the clip pipeline, as one callable each, for tests that hold
both to the same contract: the one-clip CPU reference and the split path (CPU hand-over,
then the batched device transform on a batch of one)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from cmrbench.data import BatchTransform, Handover, ReferenceClipTransform
from cmrbench.data.geometry import ZOOM, handover_size
from cmrbench.data.handover import stack_params
from cmrbench.specs import VideoInput

Pipeline = Callable[[np.ndarray, np.random.Generator | None], torch.Tensor]


def split_pipeline(contract: VideoInput, train: bool = False, augment: bool = True,
                   zoom: tuple[float, float] = ZOOM) -> Pipeline:
    transform = BatchTransform(contract, train=train, augment=augment)

    def run(cine: np.ndarray, rng: np.random.Generator | None = None) -> torch.Tensor:
        size = handover_size([cine.shape[-2:]], (contract.height, contract.width), zoom)
        frames, params = Handover(contract, size, train=train, augment=augment,
                                  zoom=zoom)(cine, rng)
        return transform(frames[None], stack_params([params]))[0]

    return run


def reference_pipeline(contract: VideoInput, train: bool = False, augment: bool = True,
                       zoom: tuple[float, float] = ZOOM) -> Pipeline:
    return ReferenceClipTransform(contract, train=train, augment=augment, zoom=zoom)


@pytest.fixture(params=["reference", "split"])
def pipeline(request) -> Callable[..., Pipeline]:
    """Build either implementation: ``pipeline(contract, train=..., augment=..., zoom=...)``."""
    return reference_pipeline if request.param == "reference" else split_pipeline


@pytest.fixture
def split() -> Callable[..., Pipeline]:
    return split_pipeline


@pytest.fixture
def reference() -> Callable[..., Pipeline]:
    return reference_pipeline


@pytest.fixture(autouse=True)
def one_thread():
    """Torch on one thread, as in a DataLoader worker: small ops on a busy machine stall when
    two threads wait on each other (seconds instead of milliseconds)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
