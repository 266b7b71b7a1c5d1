"""Shared fixtures: throwaway plugin distributions installed the way pip would, and a small
synthetic study store whose pixels say which slice and frame they are.

In the store every frame of every cine is one constant value, 100 + 10·frame + 1000·slice,
so a test can tell from the pixels which slice and which frames were read."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from cmrbench.registry import clear_registry_cache
from cmrbench.store import StudyRecord, ViewVolume, build_index, write_study


def write_distribution(site: Path, name: str, modules: dict[str, str],
                       entry_points: dict[str, str]) -> None:
    """Write modules plus a ``.dist-info`` (METADATA, entry_points.txt, RECORD) into ``site``.

    This is what ``pip install`` leaves behind, so importlib.metadata discovers it exactly as it
    would a real third-party plugin, and knows which modules it ships.
    """
    files = []
    for module, source in modules.items():
        path = site / Path(*module.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        files.append(path.relative_to(site).as_posix())
    info = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    lines = "\n".join(f"{ep} = {target}" for ep, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[cmrbench]\n{lines}\n")
    (info / "RECORD").write_text("".join(f"{name},,\n" for name in files))


@pytest.fixture
def install_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Install throwaway distributions into a fresh directory on sys.path and PYTHONPATH.

    Call it as ``install_distribution(name, modules, entry_points)``; returns the directory.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    # prepended, so a subprocess still sees a PYTHONPATH set from outside (mutation_check's)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site),
                                                                   os.environ.get("PYTHONPATH")])))
    clear_registry_cache()

    def install(name: str, modules: dict[str, str], entry_points: dict[str, str]) -> Path:
        write_distribution(site, name, modules, entry_points)
        clear_registry_cache()
        return site

    yield install
    clear_registry_cache()

SIZE = 32
REPORT = ("Normal LV size. LVEF 57.5 %. No LGE. Normal RV. Trivial MR.\n"
          "No pericardial effusion. Normal atria.")


def cine(slices: int, frames: int) -> np.ndarray:
    values = 100 + 10 * np.arange(frames)[None, :] + 1000 * np.arange(slices)[:, None]
    return np.broadcast_to(values[:, :, None, None], (slices, frames, SIZE, SIZE)).astype(
        np.uint16)


def view(slices: int, frames: int) -> ViewVolume:
    return ViewVolume(cine=cine(slices, frames), pixel_spacing=(1.5, 1.5), slice_thickness=8.0,
                      frame_times_ms=np.arange(frames) * 30.0,
                      slice_positions_mm=np.arange(slices) * 10.0)


STUDIES = {
    "a": dict(views={"4CH": view(1, 25), "2CH": view(1, 25), "3CH": view(1, 25),
                     "SAX": view(6, 20)},
              labels={"lvef": 57.5, "group": "NOR"}, report=REPORT, split="train"),
    "b": dict(views={"4CH": view(1, 12), "SAX": view(9, 12)},
              labels={"lvef": 31.0, "group": "DCM"}, report=None, split="train"),
    "c": dict(views={"2CH": view(1, 30), "SAX": view(4, 30)},
              labels={"lvef": 62.0}, report="One sentence only.", split="test"),
}


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store")
    for study_id, study in STUDIES.items():
        write_study(root, StudyRecord(study_id=study_id, patient_id=f"p-{study_id}",
                                      dataset="synthetic", views=study["views"],
                                      labels=study["labels"], report=study["report"],
                                      meta={"split": study["split"]}))
    build_index(root)
    return root


@pytest.fixture(scope="session")
def phantom_reports() -> list[str]:
    """240 reports written by the phantom's report generator (no images rendered): the groups
    in turn, each study from its own generator. Tests split them into corpus and held out."""
    from cmrbench.phantom.anatomy import GROUPS, sample_anatomy
    from cmrbench.phantom.report import write_report

    reports = []
    for index in range(240):
        rng = np.random.default_rng([23, index])
        reports.append(write_report(sample_anatomy(GROUPS[index % len(GROUPS)], rng), rng))
    return reports


@pytest.fixture(scope="session")
def wordpieces():
    """The bundled MiniLM's word pieces (``bert-minilm-l6``'s), the template tokenizer's
    fallback."""
    from cmrbench.tokenizer import WordPieces

    return WordPieces.from_directory()
