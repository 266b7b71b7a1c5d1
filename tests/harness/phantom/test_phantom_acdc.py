"""The ACDC layout: NIfTI files, names, label values and Info.cfg as the real challenge data."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pandas as pd
import pytest
from cmrbench.phantom.cohort import ACDC_GROUP_ORDER


def test_each_patient_has_the_acdc_files(written) -> None:
    out, studies = written("acdc", n=10)
    for study in studies:
        folder = out / "database" / "training" / study.study_id
        ed, es = study.ed_frame + 1, study.es_frame + 1
        assert sorted(p.name for p in folder.iterdir()) == sorted([
            "Info.cfg", f"{study.study_id}_4d.nii.gz",
            f"{study.study_id}_frame{ed:02d}.nii.gz", f"{study.study_id}_frame{ed:02d}_gt.nii.gz",
            f"{study.study_id}_frame{es:02d}.nii.gz", f"{study.study_id}_frame{es:02d}_gt.nii.gz"])


def test_info_cfg_has_the_real_keys(written) -> None:
    out, studies = written("acdc", n=10)
    study = studies[0]
    text = (out / "database" / "training" / study.study_id / "Info.cfg").read_text()
    info = dict(line.split(": ", 1) for line in text.splitlines())
    assert list(info) == ["ED", "ES", "Group", "Height", "NbFrame", "Weight"]
    assert info["ED"] == "1"
    assert int(info["ES"]) == study.es_frame + 1
    assert info["Group"] == study.group
    assert float(info["Height"]) == study.height_cm
    assert int(info["NbFrame"]) == study.views["SAX"].n_frames


def test_patients_are_numbered_in_acdc_group_blocks(written) -> None:
    out, _ = written("acdc", n=10)
    truth = pd.read_csv(out / "truth.csv")
    assert list(truth["study_id"]) == [f"patient{i:03d}" for i in range(1, 11)]
    order = [ACDC_GROUP_ORDER.index(g) for g in truth["group"]]
    assert order == sorted(order)


def test_nifti_volumes_are_xyzt_with_spacing_and_labels(written) -> None:
    out, studies = written("acdc", n=10)
    study = studies[0]
    sax = study.views["SAX"]
    folder = out / "database" / "training" / study.study_id
    cine = nib.load(folder / f"{study.study_id}_4d.nii.gz")
    rows, cols = sax.cine.shape[2:]
    assert cine.shape == (cols, rows, sax.n_slices, sax.n_frames)
    zooms = cine.header.get_zooms()
    assert np.allclose(zooms[:3], (*sax.pixel_spacing[::-1], sax.slice_spacing), atol=1e-3)
    assert cine.header.get_xyzt_units() == ("mm", "msec")  # patient001: milliseconds
    assert zooms[3] == pytest.approx(np.mean(np.diff(sax.trigger_times)), abs=1e-3)
    assert np.array_equal(np.asarray(cine.dataobj)[..., 0],
                          np.transpose(sax.cine[:, 0], (2, 1, 0)))
    gt = nib.load(folder / f"{study.study_id}_frame01_gt.nii.gz")
    assert gt.get_data_dtype() == np.uint8
    assert set(np.unique(np.asarray(gt.dataobj))) == {0, 1, 2, 3}


def test_download_nesting_citation_and_headers_in_seconds(written) -> None:
    """The current ACDC download unpacks as database/{training,testing}/ beside
    MANDATORY_CITATION.md; dcm2niix-style headers give time in seconds (NIfTI-1 xyzt_units)."""
    out, studies = written("acdc", n=10)
    assert (out / "database" / "MANDATORY_CITATION.md").is_file()
    assert not (out / "training").exists()
    truth = pd.read_csv(out / "truth.csv", keep_default_na=False)
    seconds = {s for s, q in zip(truth["study_id"], truth["quirks"], strict=True)
               if q == "nifti_seconds"}
    assert seconds == {f"patient{i:03d}" for i in range(2, 11, 2)}
    study = studies[1]
    cine = nib.load(out / "database" / "training" / study.study_id / f"{study.study_id}_4d.nii.gz")
    assert cine.header.get_xyzt_units() == ("mm", "sec")
    frame_ms = np.mean(np.diff(study.views["SAX"].trigger_times))
    assert cine.header.get_zooms()[3] == pytest.approx(frame_ms / 1000.0, abs=1e-6)


def test_nifti_affine_places_voxels_where_the_dicom_geometry_does(written) -> None:
    out, studies = written("acdc", n=10)
    study = studies[0]
    sax = study.views["SAX"]
    folder = out / "database" / "training" / study.study_id
    affine = nib.load(folder / f"{study.study_id}_4d.nii.gz").affine
    o = np.asarray(sax.orientation)
    k = sax.n_slices - 1
    lps = (np.asarray(sax.positions[k]) + 5 * sax.pixel_spacing[1] * o[:3]
           + 7 * sax.pixel_spacing[0] * o[3:])
    ras = affine @ np.array([5, 7, k, 1.0])
    assert np.allclose(ras[:3], lps * np.array([-1, -1, 1]), atol=1e-3)
