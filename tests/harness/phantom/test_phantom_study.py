"""The data model: what a study and its views hold, and the truth table."""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.phantom import FINDINGS, VIEWS, generate_cohort, iter_cohort, truth_table


@pytest.fixture(scope="module")
def studies():
    return generate_cohort(5, 3, matrix=64, fov_mm=240.0, frames=12)


def test_views_hold_cines_labels_and_geometry(studies) -> None:
    for study in studies:
        assert list(study.views) == list(VIEWS)
        for name, view in study.views.items():
            assert view.cine.dtype == np.uint16 and view.labels.dtype == np.uint8
            assert view.cine.shape == view.labels.shape
            assert view.n_frames == 12 and len(view.trigger_times) == 12
            assert np.all(np.diff(view.trigger_times) > 0)
            assert len(view.positions) == view.n_slices and len(view.orientation) == 6
            assert set(np.unique(view.labels)) <= {0, 1, 2, 3}
            if name == "SAX":
                assert 6 <= view.n_slices <= 14
            else:
                assert view.n_slices == 1
                assert (view.labels == 3).any()


def test_intensities_stay_in_a_realistic_mr_range(studies) -> None:
    for study in studies:
        cine = study.views["SAX"].cine
        assert 200 < np.percentile(cine, 99.9) < 4095


def test_truth_table_has_the_truth_columns(studies) -> None:
    table = truth_table(studies)
    required = ["study_id", "patient_id", "group", "edv_ml", "esv_ml", "lvef", "rv_edv_ml",
                "rv_esv_ml", "wall_thickness_mm", "site", "vendor", *FINDINGS]
    assert set(required) <= set(table.columns)
    assert list(table["study_id"]) == [s.study_id for s in studies]
    assert np.allclose(table["lvef"], 100 * (table["edv_ml"] - table["esv_ml"]) / table["edv_ml"],
                       atol=1e-3)


def test_bad_arguments_are_named_with_their_fix() -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        next(iter_cohort(0, 1))
    with pytest.raises(ValueError, match="choose one of"):
        next(iter_cohort(1, 1, layout="sunnybrook"))
    with pytest.raises(ValueError, match="unknown views"):
        next(iter_cohort(1, 1, views=["5CH"]))
