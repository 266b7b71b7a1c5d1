"""Clip loading against raw h5py reads of the same frames, as ratios measured in one run.

A synthetic store of 20 studies (10 SAX slices x 30 frames x 192x192 uint16 plus 4CH, 2CH and
3CH) is written to a temporary directory. Each benchmark walks the same SAX slices of the
reference selection in the same order and reads the same 16 uniformly spaced frames:

- raw h5py: open the study file, read the slice's frames first..last as one hyperslab and
  pick the 16 in numpy (the floor, and the baseline of every ratio),
- raw h5py, fancy-indexed: the same frames read as ``cine[slice, indices]``, which h5py
  turns into one selection per index on the chunked dataset: tens of times slower,
- store: ``StudyStore.read_cine`` for those frames,
- clip item: a full ``ClipDataset`` item, read and transformed to 3 x 16 x 224 x 224,
- training clip item: the same with scale jitter, a random crop and AugMix.

Torch runs on one thread, as it does in a DataLoader worker (where items are built); that
also keeps timings steady on a busy machine. Each benchmark reports its median over the raw
read's median (timed once in the same session) through the ``timing`` fixture of
``conftest.py``, in ``benchmark.extra_info`` and printed. Run with
``.venv/bin/python -m pytest benchmarks/test_data_bench.py --benchmark-only -s``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from cmrbench.data import ClipDataset, uniform_frame_indices
from cmrbench.specs import VideoInput
from cmrbench.store import StudyRecord, StudyStore, ViewVolume, build_index, study_path, write_study

STUDIES, SAX_SLICES, FRAMES, SIZE = 20, 10, 30, 192
CONTRACT = VideoInput(frames=16, height=224, width=224)
FRAME_INDICES = uniform_frame_indices(FRAMES, CONTRACT.frames)
RAW = "the raw h5py read"


def synthetic_view(rng: np.random.Generator, slices: int) -> ViewVolume:
    return ViewVolume(cine=rng.integers(0, 4000, (slices, FRAMES, SIZE, SIZE), dtype=np.uint16),
                      pixel_spacing=(1.8, 1.8), slice_thickness=8.0,
                      frame_times_ms=np.arange(FRAMES) * 33.0,
                      slice_positions_mm=np.arange(slices) * 10.0)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench-store")
    rng = np.random.default_rng(0)
    for number in range(STUDIES):
        views = {view: synthetic_view(rng, 1) for view in ("4CH", "2CH", "3CH")}
        views["SAX"] = synthetic_view(rng, SAX_SLICES)
        write_study(root, StudyRecord(study_id=f"study{number:02d}", patient_id=f"p{number}",
                                      dataset="bench", views=views, labels={"lvef": 55.0}))
    build_index(root)
    return root


@pytest.fixture(scope="module")
def eval_clips(store_root: Path) -> ClipDataset:
    return ClipDataset(store_root, CONTRACT)


@pytest.fixture(scope="module")
def sax_items(eval_clips: ClipDataset) -> list[tuple[int, str, int]]:
    """(dataset index, study, slice) of every SAX clip the reference selection takes."""
    return [(index, entry.study_id, slice_index)
            for index, (entry, view, slice_index) in enumerate(eval_clips.items)
            if view == "SAX"]


def raw_reader(store_root: Path, sax_items: list[tuple[int, str, int]],
               fancy: bool = False) -> Callable[[], np.ndarray]:
    walk = itertools.cycle(sax_items)
    first, last = FRAME_INDICES[0], FRAME_INDICES[-1]

    def read() -> np.ndarray:
        _, study_id, slice_index = next(walk)
        with h5py.File(study_path(store_root, study_id), "r") as h5:
            cine = h5["views/SAX/cine"]
            if fancy:
                return cine[slice_index, FRAME_INDICES]
            return cine[slice_index, first:last + 1][FRAME_INDICES - first]

    return read


@pytest.fixture(scope="module")
def raw_median_s(store_root: Path, sax_items: list[tuple[int, str, int]], timing) -> float:
    """The raw h5py read's median time, measured once for every ratio in this run."""
    return timing.seconds(raw_reader(store_root, sax_items), rounds=300, warmup=20)


def test_raw_h5py_read(benchmark, store_root, sax_items, raw_median_s, timing):
    frames = benchmark(raw_reader(store_root, sax_items))
    assert frames.shape == (CONTRACT.frames, SIZE, SIZE)
    timing.report(benchmark, "raw h5py read", raw_median_s, RAW)


def test_raw_h5py_fancy_indexed_read(benchmark, store_root, sax_items, raw_median_s, timing):
    frames = benchmark(raw_reader(store_root, sax_items, fancy=True))
    assert frames.shape == (CONTRACT.frames, SIZE, SIZE)
    timing.report(benchmark, "raw h5py read, fancy-indexed", raw_median_s, RAW)


def test_store_read_cine(benchmark, store_root, sax_items, raw_median_s, timing):
    store = StudyStore(store_root)
    walk = itertools.cycle(sax_items)

    def read() -> np.ndarray:
        _, study_id, slice_index = next(walk)
        return store.read_cine(study_id, "SAX", slice_index, FRAME_INDICES)

    assert benchmark(read).shape == (CONTRACT.frames, SIZE, SIZE)
    timing.report(benchmark, "StudyStore.read_cine", raw_median_s, RAW)


def test_clip_item(benchmark, eval_clips, sax_items, raw_median_s, timing):
    walk = itertools.cycle(sax_items)
    item = benchmark(lambda: eval_clips[next(walk)[0]])
    assert item["video"].shape == CONTRACT.shape
    timing.report(benchmark, "ClipDataset item (eval)", raw_median_s, RAW)


def test_training_clip_item(benchmark, store_root, sax_items, raw_median_s, timing):
    clips = ClipDataset(store_root, CONTRACT, train=True)
    walk = itertools.cycle(sax_items)
    item = benchmark(lambda: clips[next(walk)[0]])
    assert item["video"].shape == CONTRACT.shape
    timing.report(benchmark, "ClipDataset item (train, AugMix)", raw_median_s, RAW)
