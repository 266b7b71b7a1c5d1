"""The clinical-h5 phantom cohort ingested end to end: every site's kind of store (rgb or grey
arrays, raw or built keys), reports and labels by accession, geometry left unknown all the way
to the clip datasets, the toolkit's series CSV, and no identifier in anything written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import torch
from cmrbench.cli import main
from cmrbench.data import ClipDataset
from cmrbench.specs import VideoInput

VIEWS = ("4CH", "3CH", "2CH", "SAX")


def source_slices(dataset: h5py.Dataset) -> np.ndarray:
    """The toolkit series as [slices, frames, h, w]: slices end at slice_frames (inclusive)."""
    frames = dataset[()] if dataset.ndim == 3 else dataset[:, 0]
    return np.stack(np.split(frames, np.asarray(dataset.attrs["slice_frames"]) + 1))


def test_every_scan_gives_its_four_series_split_into_slices(clinical_h5):
    """Each view from the one key the series CSV maps to it; the stored description is that
    key with the patient's name typed into it replaced."""
    renamed = pd.read_csv(clinical_h5.source / "series_map.csv", keep_default_na=False)
    view_of = dict(zip(renamed["series_description"], renamed["cleaned_series_names"],
                       strict=True))
    names = {s.study_id: s.identity.patient_name for s in clinical_h5.studies}
    assert len(clinical_h5.store) == len(clinical_h5.truth) == 4
    for raw in clinical_h5.truth["study_id"]:
        study = clinical_h5.store_id(raw)
        assert set(clinical_h5.store.views(study)) == set(VIEWS)
        with h5py.File(clinical_h5.source / f"{raw}.h5", "r") as h5:
            for view in VIEWS:
                [key] = [k for k in h5 if view_of[k] == view]
                assert clinical_h5.store.geometry(study, view)["series_description"] == (
                    key.replace(names[raw], "[NAME]"))
                stored = [clinical_h5.store.read_cine(study, view, s)
                          for s in range(clinical_h5.store.views(study)[view])]
                assert np.array_equal(np.stack(stored), source_slices(h5[key]))


def test_reports_and_labels_come_by_accession(clinical_h5):
    for raw in clinical_h5.truth["study_id"]:
        study, truth = clinical_h5.store_id(raw), clinical_h5.truth_row(raw)
        assert f"{round(truth['lvef'])}%" in clinical_h5.store.report(study)
        labels = clinical_h5.store.labels(study)
        assert labels["group"] == truth["group"]
        assert labels["lv_hypertrophy"] == int(truth["lv_hypertrophy"])


def test_only_localisers_are_left_out(clinical_h5):
    raw_scans = (~clinical_h5.truth["quirks"].str.contains("built")).sum()
    rejected = clinical_h5.report.rejected_files
    assert 0 < raw_scans < 4 and len(rejected) == raw_scans
    assert {item["reason"] for item in rejected} == {"unmapped series description"}
    assert {item["file"] for item in rejected} <= {"study.h5/localizer_[NAME]",
                                                   "study.h5/3-Plane_Loc_[NAME]",
                                                   "study.h5/Survey_[NAME]"}


def test_unknown_geometry_reaches_the_clip_datasets_as_nan_and_nothing_else(clinical_h5):
    study = clinical_h5.store.study_ids[0]
    geometry = clinical_h5.store.geometry(study, "SAX")
    assert np.isnan(geometry["slice_positions_mm"]).all()
    assert np.isnan(geometry["frame_times_ms"]).all() and np.isnan(geometry["pixel_spacing"]).all()
    clips = ClipDataset(clinical_h5.store, VideoInput(frames=4, height=32, width=32), views="all")
    batch = clips.collate([clips[0], clips[len(clips) - 1]])
    for video in clips.batch_transform()(batch["frames"], batch["params"]):
        assert video.shape == (3, 4, 32, 32) and torch.isfinite(video).all() and video.std() > 0


def digests(store: Path) -> dict[str, str]:
    files = sorted(store.glob("studies/*.h5")) + [store / "index.csv"]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_the_toolkit_series_csv_gives_the_same_store_and_nothing_identifying(
        clinical_h5, tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["ingest", "clinical-h5", str(clinical_h5.source), "--out", str(store),
                 "--workers", "1", "--series-map",
                 str(clinical_h5.source / "series_map.csv")]) == 0
    logs = capsys.readouterr()
    assert digests(store) == digests(clinical_h5.store.root)
    planted = json.loads((clinical_h5.source / "phi_planted.json").read_text())["values"]
    assert len(planted) > 20  # keys, names, and the identifiers in each report
    written = [p.read_bytes() for p in store.rglob("*") if p.is_file()]
    haystacks = written + [logs.out.encode(), logs.err.encode()]
    assert {v for v in planted for data in haystacks if v.encode() in data} == set()
