"""The study store round-trips studies exactly, writes atomically and derives its index."""

import hashlib

import numpy as np
import pytest
from cmrbench.store import (
    StudyRecord,
    StudyStore,
    ViewVolume,
    build_index,
    read_index,
    study_path,
    write_study,
)


def view(slices: int, frames: int = 5, seed: int = 0) -> ViewVolume:
    rng = np.random.default_rng(seed)
    return ViewVolume(cine=rng.integers(0, 4000, (slices, frames, 8, 8), dtype=np.uint16),
                      pixel_spacing=(1.25, 1.5), slice_thickness=8.0,
                      frame_times_ms=np.arange(frames) * 33.3,
                      slice_positions_mm=np.arange(slices) * 10.0, series_description="sax")


def record(study_id: str = "s1", **overrides) -> StudyRecord:
    fields = dict(study_id=study_id, patient_id="p1", dataset="phantom",
                  views={"4CH": view(1, seed=1), "SAX": view(6, seed=2)},
                  labels={"lvef": 57.5, "group": "NOR"}, report="EF 57%. Normal size.",
                  meta={"split": "train"})
    return StudyRecord(**{**fields, **overrides})


def test_round_trip_is_exact(tmp_path):
    original = record()
    write_study(tmp_path, original)
    build_index(tmp_path)
    store = StudyStore(tmp_path)
    assert store.study_ids == ["s1"]
    assert store.views("s1") == {"4CH": 1, "SAX": 6}
    np.testing.assert_array_equal(store.read_cine("s1", "SAX", 3), original.views["SAX"].cine[3])
    frames = np.array([4, 0, 0, 2])
    np.testing.assert_array_equal(store.read_cine("s1", "SAX", 1, frames),
                                  original.views["SAX"].cine[1, frames])
    geometry = store.geometry("s1", "SAX")
    assert geometry["pixel_spacing"] == (1.25, 1.5) and geometry["slice_thickness"] == 8.0
    np.testing.assert_allclose(geometry["slice_positions_mm"], np.arange(6) * 10.0)
    assert store.labels("s1") == {"lvef": 57.5, "group": "NOR"}
    assert store.report("s1") == "EF 57%. Normal size."


def test_index_has_one_row_per_study_with_labels(tmp_path):
    write_study(tmp_path, record("b"))
    write_study(tmp_path, record("a", views={"2CH": view(1)}, labels={"lvef": 30.0},
                                 report=None, meta={}))
    table = build_index(tmp_path)
    assert list(table["study_id"]) == ["a", "b"]
    assert list(table["views"]) == ["2CH", "4CH;SAX"]
    assert list(table["n_sax_slices"]) == [0, 6]
    assert list(table["has_report"]) == [False, True]
    assert list(read_index(tmp_path)["label:lvef"]) == [30.0, 57.5]


def test_same_study_gives_same_bytes(tmp_path):
    first = write_study(tmp_path / "one", record()).read_bytes()
    second = write_study(tmp_path / "two", record()).read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    import cmrbench.store.writer as writer

    def crash(h5, rec):
        h5.attrs["study_id"] = rec.study_id
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_fill", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        write_study(tmp_path, record())
    assert not study_path(tmp_path, "s1").exists()
    assert list((tmp_path / "studies").iterdir()) == []


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="unknown view"):
        record(views={"5CH": view(1)})
    with pytest.raises(ValueError, match="frame_times_ms has 2 values for 5 frames"):
        ViewVolume(cine=np.zeros((1, 5, 4, 4)), pixel_spacing=(1, 1), slice_thickness=1,
                   frame_times_ms=np.zeros(2), slice_positions_mm=np.zeros(1))
    with pytest.raises(FileNotFoundError, match="cmrbench ingest"):
        StudyStore(tmp_path)
    write_study(tmp_path, record())
    build_index(tmp_path)
    with pytest.raises(KeyError, match="has no 3CH view"):
        StudyStore(tmp_path).read_cine("s1", "3CH")
