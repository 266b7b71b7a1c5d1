"""A phantom store written straight from the renderer (no DICOM round trip: about a second),
and one short run of the tiny MViT on it, shared by the explain tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from cmrbench.cli import main
from cmrbench.phantom import PhantomStudy, generate_cohort
from cmrbench.phantom.study import PhantomView
from cmrbench.store import StudyRecord, ViewVolume, build_index, write_study

VIEWS = ("4CH", "3CH", "2CH", "SAX")
SPLITS = ("train", "train", "train", "val", "test")


def volume(view: PhantomView, middle_slice: bool = False) -> ViewVolume:
    cine = view.cine
    positions = np.array([np.dot(p, view.normal) for p in view.positions])
    if middle_slice:
        k = len(cine) // 2
        cine, positions = cine[k:k + 1], positions[k:k + 1]
    return ViewVolume(cine=cine, pixel_spacing=view.pixel_spacing,
                      slice_thickness=view.slice_thickness,
                      frame_times_ms=np.asarray(view.trigger_times),
                      slice_positions_mm=positions)


def write_phantom_store(store: Path, studies: list[PhantomStudy],
                        views: Callable[[int, PhantomStudy], dict[str, ViewVolume]]) -> Path:
    """Study ``i`` gets ``views(i, study)``, its own findings as labels and split
    ``SPLITS[i % 5]``."""
    for i, study in enumerate(studies):
        write_study(store, StudyRecord(
            study_id=f"s{i:03d}", patient_id=f"p{i:03d}", dataset="phantom",
            views=views(i, study), labels={"group": study.group, "lvef": study.lvef,
                                           **{k: bool(v) for k, v in study.findings.items()}},
            meta={"split": SPLITS[i % len(SPLITS)]}))
    build_index(store)
    return store


@pytest.fixture(scope="session")
def mvit_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """diseases (lv_dilation) with mvit-b-16x4-tiny, linear, two steps, on 15 studies."""
    root = tmp_path_factory.mktemp("explain")
    studies = generate_cohort(15, seed=3, views=VIEWS, frames=8, matrix=32)
    store = write_phantom_store(root / "store", studies, lambda i, s: {
        name: volume(s.views[name]) for name in VIEWS})
    out = root / "run"
    assert main(["run", "--encoder", "mvit-b-16x4-tiny", "--dataset", "phantom", "--store",
                 str(store), "--task", "diseases", "--labels", "lv_dilation,rv_dilation",
                 "--mode", "linear", "--out", str(out), "--max-steps", "2", "--batch-size",
                 "4", "--no-progress"]) == 0
    return out


@pytest.fixture(autouse=True)
def one_thread():
    """Torch on one thread: small ops on a busy 2-core machine stall when two threads wait on
    each other (100 ms a training step instead of 5)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
