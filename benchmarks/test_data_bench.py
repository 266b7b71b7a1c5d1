"""The data path's CPU cost per full-size clip, against the old one-clip path and the raw read.

A synthetic store of 20 studies (10 SAX slices x 30 frames x 192x192 uint16 plus 4CH, 2CH and
3CH) is written to a temporary directory; the contract is the full 3 x 16 x 224 x 224. Each
candidate handles a block of BLOCK clips, walking the same SAX slices of the reference
selection and reading the same 16 uniformly spaced frames:

- raw: open the study file, read the slice's frames first..last as one hyperslab and pick the
  16 in numpy (the floor),
- store read: `StudyStore.read_cine` of the same frames,
- old eval / old train: `StudyStore.read_cine` + `ReferenceClipTransform`, the item the
  datasets built before the data path split (a float32 3 x 16 x 224 x 224 tensor per clip;
  training with scale jitter, a random crop and AugMix on the CPU), without its collate,
- new eval / new train: what a DataLoader worker now does per clip: `ClipDataset` items
  (read, exact-histogram limits, the uint8 source window, the parameter draws) and their
  share of `collate_clips`.

The candidates run interleaved: ROUNDS rounds, each running every candidate once in a newly
shuffled order, torch on one thread as in a DataLoader worker. Each test reports the per-round
ratios (min and median) of one candidate to its baseline, and asserts issue 11's targets on
the median: new eval <= 0.15 x old eval, new train <= 0.2 x old train. The DataLoader tests
report clips/s per worker, new path and old, over whole epochs of the store.

Run with ``.venv/bin/python -m pytest benchmarks/test_data_bench.py --benchmark-only -s``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from cmrbench.data import (
    ClipDataset,
    ReferenceClipTransform,
    Stream,
    collate_clips,
    derive_rng,
    make_loader,
    uniform_frame_indices,
)
from cmrbench.specs import VideoInput
from cmrbench.store import StudyRecord, StudyStore, ViewVolume, build_index, study_path, write_study
from torch.utils.data import DataLoader, Dataset

STUDIES, SAX_SLICES, FRAMES, SIZE = 20, 10, 30, 192
CONTRACT = VideoInput(frames=16, height=224, width=224)
FRAME_INDICES = uniform_frame_indices(FRAMES, CONTRACT.frames)
BLOCK, ROUNDS = 8, 15
TARGETS = {"eval": 0.15, "train": 0.2}


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
def sax_items(store_root: Path) -> list[tuple[int, str, int]]:
    """(dataset index, study, slice) of every SAX clip the reference selection takes."""
    return [(index, entry.study_id, slice_index)
            for index, (entry, view, slice_index) in enumerate(ClipDataset(store_root,
                                                                           CONTRACT).items)
            if view == "SAX"]


def blocks(sax_items: list[tuple[int, str, int]], clip: Callable[[int, str, int], object]
           ) -> Callable[[], object]:
    """A candidate: BLOCK clips per call, walking the SAX items round and round."""
    walk = itertools.cycle(sax_items)
    return lambda: [clip(*next(walk)) for _ in range(BLOCK)]


def raw_read(store_root: Path) -> Callable[[int, str, int], np.ndarray]:
    first, last = FRAME_INDICES[0], FRAME_INDICES[-1]

    def read(_: int, study_id: str, slice_index: int) -> np.ndarray:
        with h5py.File(study_path(store_root, study_id), "r") as h5:
            return h5["views/SAX/cine"][slice_index, first:last + 1][FRAME_INDICES - first]

    return read


def old_item(store_root: Path, train: bool) -> Callable[[int, str, int], torch.Tensor]:
    store, transform = StudyStore(store_root), ReferenceClipTransform(CONTRACT, train=train)

    def item(index: int, study_id: str, slice_index: int) -> torch.Tensor:
        cine = store.read_cine(study_id, "SAX", slice_index, FRAME_INDICES)
        return transform(cine, derive_rng(0, 0, index, Stream.PIXELS))

    return item


def new_batch(store_root: Path, train: bool, sax_items) -> Callable[[], dict]:
    dataset = ClipDataset(store_root, CONTRACT, train=train)
    walk = itertools.cycle(index for index, _, _ in sax_items)
    return lambda: collate_clips([dataset[next(walk)] for _ in range(BLOCK)])


@pytest.fixture(scope="module")
def interleaved(store_root, sax_items, timing) -> dict[str, list[float]]:
    """Seconds per clip of every candidate, per round, measured interleaved."""
    store = StudyStore(store_root)
    candidates = {"raw": blocks(sax_items, raw_read(store_root)),
                  "store read": blocks(sax_items, lambda _, study_id, slice_index:
                                       store.read_cine(study_id, "SAX", slice_index,
                                                       FRAME_INDICES)),
                  **{f"old {mode}": blocks(sax_items, old_item(store_root, mode == "train"))
                     for mode in ("eval", "train")},
                  **{f"new {mode}": new_batch(store_root, mode == "train", sax_items)
                     for mode in ("eval", "train")}}
    for candidate in candidates.values():
        candidate()  # warm caches and lazy imports before anything is timed
    times = timing.interleaved(candidates, ROUNDS)
    return {name: [t / BLOCK for t in per_round] for name, per_round in times.items()}


def report(benchmark, name: str, interleaved, timing, baseline: str) -> float:
    """Store and print ``name``'s per-round ratios to ``baseline`` and to the raw read; the
    median ratio to ``baseline`` is returned."""
    low, median = timing.ratios(interleaved, name, baseline)
    raw_low, raw_median = timing.ratios(interleaved, name, "raw")
    ms = {key: np.median(interleaved[key]) * 1e3 for key in (name, baseline, "raw")}
    benchmark.extra_info.update({"ms_per_clip": ms[name], "baseline": baseline,
                                 "ratio_min": low, "ratio_median": median,
                                 "ratio_to_raw_min": raw_low, "ratio_to_raw_median": raw_median})
    to_raw = "" if baseline == "raw" else f", {raw_low:.2f}x / {raw_median:.2f}x raw"
    print(f"\n{name}: {ms[name]:.2f} ms per clip; {low:.3f}x / {median:.3f}x {baseline} "
          f"({ms[baseline]:.2f} ms){to_raw}; min / median of {ROUNDS} interleaved rounds")
    return median


def test_store_read_against_the_raw_read(benchmark, store_root, sax_items, interleaved, timing):
    store = StudyStore(store_root)
    benchmark.pedantic(blocks(sax_items, lambda _, study_id, slice_index: store.read_cine(
        study_id, "SAX", slice_index, FRAME_INDICES)), rounds=3)
    report(benchmark, "store read", interleaved, timing, "raw")


@pytest.mark.parametrize("mode", ["eval", "train"])
def test_old_item_against_the_raw_read(benchmark, store_root, sax_items, interleaved, timing,
                                       mode):
    benchmark.pedantic(blocks(sax_items, old_item(store_root, mode == "train")), rounds=3)
    report(benchmark, f"old {mode}", interleaved, timing, "raw")


@pytest.mark.parametrize("mode", ["eval", "train"])
def test_new_clip_against_the_old_item(benchmark, store_root, sax_items, interleaved, timing,
                                       mode):
    batch = benchmark.pedantic(new_batch(store_root, mode == "train", sax_items), rounds=3)
    assert batch["frames"].dtype == torch.uint8 and batch["frames"].shape[:2] == (BLOCK, 16)
    median = report(benchmark, f"new {mode}", interleaved, timing, f"old {mode}")
    assert median <= TARGETS[mode], f"new {mode} path costs {median:.3f}x the old one"


class OldClips(Dataset):
    """The SAX clips as the datasets built them before the split (for the loader baseline)."""

    def __init__(self, store_root: Path, sax_items, train: bool) -> None:
        self.items, self.item = sax_items, old_item(store_root, train)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.item(*self.items[index])


def clips_per_second(loader, clips: int) -> float:
    start = time.perf_counter()
    assert sum(len(batch["frames"] if isinstance(batch, dict) else batch)
               for batch in loader) == clips
    return clips / (time.perf_counter() - start)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_dataloader_clips_per_second_per_worker(benchmark, store_root, sax_items, workers,
                                                mode):
    train = mode == "train"
    new = make_loader(ClipDataset(store_root, CONTRACT, train=train), 8, workers=workers,
                      shuffle=train)
    old = DataLoader(OldClips(store_root, sax_items, train), batch_size=8,
                     num_workers=workers, persistent_workers=True, prefetch_factor=4)
    clips_per_second(new, len(new.dataset))  # start the workers
    clips_per_second(old, len(old.dataset))
    rates = {"new": [], "old": []}
    for _ in range(2):
        rates["new"].append(clips_per_second(new, len(new.dataset)))
        rates["old"].append(clips_per_second(old, len(old.dataset)))
    benchmark.pedantic(lambda: clips_per_second(new, len(new.dataset)), rounds=1)
    per_worker = {path: max(rate) / workers for path, rate in rates.items()}
    benchmark.extra_info.update({f"{path}_clips_per_s_per_worker": rate
                                 for path, rate in per_worker.items()})
    print(f"\nDataLoader, {mode}, {workers} worker(s): new {per_worker['new']:.0f}, "
          f"old {per_worker['old']:.0f} clips/s per worker (best of 2 epochs of "
          f"{len(new.dataset)} / {len(old.dataset)} clips)")
