"""The truth is exact: label voxels add up to the analytic volumes, for every group."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest
from cmrbench.phantom import GROUPS
from cmrbench.phantom.anatomy import LV_HYPERTROPHY_MM, sample_anatomy
from cmrbench.phantom.geometry import Motion, Quadrature


def _info(folder: Path) -> dict[str, str]:
    lines = (folder / "Info.cfg").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines)


def _label_volume_ml(path: Path, label: int) -> float:
    image = nib.load(path)
    voxel_ml = float(np.prod(image.header.get_zooms()[:3])) / 1000.0
    return float(np.count_nonzero(np.asarray(image.dataobj) == label)) * voxel_ml


def test_quadrature_matches_the_closed_form_truncated_ellipsoid() -> None:
    shape = dataclasses.replace(sample_anatomy("NOR", np.random.default_rng(1)).shape,
                                akinesia=None)
    motion = Motion(long_shortening=0.15, radial_scale=0.7, thickening=0.4, rv_scale=0.6)
    for c in (0.0, 0.5, 1.0):
        scale = 1.0 - c * (1.0 - motion.radial_scale)
        length = shape.lv_length * (1.0 - c * motion.long_shortening)
        e = shape.lv_equator
        depth_integral = (e + length) - (length ** 3 + e ** 3) / (3.0 * length ** 2)
        exact = np.pi * shape.lv_a * shape.lv_b * scale ** 2 * depth_integral / 1000.0
        assert Quadrature(shape).volumes(motion, c)[0] == pytest.approx(exact, rel=1e-5)


def test_voxel_counts_of_written_acdc_labels_match_the_truth_for_every_group(written) -> None:
    out, _ = written("acdc", n=10)
    truth = pd.read_csv(out / "truth.csv")
    assert set(truth["group"]) == set(GROUPS)
    for row in truth.itertuples():
        folder = out / "database" / "training" / row.study_id
        info = _info(folder)
        ed = folder / f"{row.study_id}_frame{int(info['ED']):02d}_gt.nii.gz"
        es = folder / f"{row.study_id}_frame{int(info['ES']):02d}_gt.nii.gz"
        edv, esv = _label_volume_ml(ed, 3), _label_volume_ml(es, 3)
        assert edv == pytest.approx(row.edv_ml, rel=0.05), row.study_id
        assert esv == pytest.approx(row.esv_ml, rel=0.05), row.study_id
        assert 100.0 * (edv - esv) / edv == pytest.approx(row.lvef, abs=3.0), row.study_id
        assert _label_volume_ml(ed, 1) == pytest.approx(row.rv_edv_ml, rel=0.05), row.study_id
        assert _label_volume_ml(es, 1) == pytest.approx(row.rv_esv_ml, rel=0.05), row.study_id


def test_end_diastole_is_the_largest_and_end_systole_the_smallest_cavity(written) -> None:
    _, studies = written("acdc", n=10)
    for study in studies:
        cavity = (study.views["SAX"].labels == 3).sum(axis=(0, 2, 3))
        assert cavity.argmax() == study.ed_frame
        assert cavity.argmin() == study.es_frame


def _sample(group: str, n: int = 12) -> list:
    rng = np.random.default_rng(7)
    return [sample_anatomy(group, rng) for _ in range(n)]


def test_groups_differ_the_way_acdc_defines_them() -> None:
    nor, dcm, hcm, minf, rv = (_sample(g) for g in ("NOR", "DCM", "HCM", "MINF", "RV"))
    assert all(55.0 <= a.lvef <= 70.0 for a in nor)
    assert all(a.lvef <= 40.0 for a in dcm)
    assert min(a.edv_ml for a in dcm) > max(a.edv_ml for a in nor)
    assert all(a.shape.max_wall_mm >= 15.0 and a.lvef >= 60.0 for a in hcm)
    assert max(a.edv_ml for a in hcm) < np.median([a.edv_ml for a in nor])
    assert all(a.akinetic_segment is not None and 25.0 <= a.lvef <= 45.0 for a in minf)
    assert all(a.akinetic_segment is None for a in nor + dcm + hcm + rv)
    assert min(a.rv_edv_ml for a in rv) > max(a.rv_edv_ml for a in nor)
    assert all(50.0 <= a.lvef for a in rv)


def test_lvef_varies_continuously_within_each_group() -> None:
    for group in GROUPS:
        efs = [a.lvef for a in _sample(group)]
        assert len({round(ef) for ef in efs}) >= 8, group
        assert np.std(efs) > 2.0, group


def test_findings_follow_the_geometry() -> None:
    for anatomy in _sample("HCM") + _sample("MINF") + _sample("DCM"):
        found = anatomy.findings
        assert found["lv_hypertrophy"] == (anatomy.shape.max_wall_mm >= LV_HYPERTROPHY_MM)
        assert found["reduced_ef"] == (anatomy.lvef < 40.0)
        assert found["regional_wall_motion_abnormality"] == (anatomy.group == "MINF")
        assert found["pericardial_effusion"] == (anatomy.shape.effusion_mm > 0.0)
        assert not found["pure_normal"]
