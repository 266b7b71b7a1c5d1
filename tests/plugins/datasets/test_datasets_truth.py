"""Every stored view of every layout against the phantom's exact truth: pixels, slice order,
frame order, pixel spacing, slice thickness, slice positions and frame times.

The phantom knows each slice's ImagePositionPatient and ImageOrientationPatient (DICOM PS3.3
C.7.6.2: LPS millimetres, normal = row direction x column direction). The store promises,
per view, the order it names in ``slice_order``: UK Biobank base to apex (b1 first, as
ukbb_cardiac orders it), every other layout ascending position along the slice normal. The
planted quirks (moved repeats, oblique extra slices, single-series exports, headers in
seconds) must leave exactly the rendered study in the store.
"""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.ingest.assemble import (
    ORDER_ALONG_NORMAL,
    ORDER_BY_ACQUISITION,
    ORDER_BY_NUMBER,
    ORDER_ONE_SLICE,
)
from cmrbench.phantom import PhantomView

LAYOUTS = ["acdc", "kaggle", "ukbb", "clinical"]


def along_normal(view: PhantomView) -> np.ndarray:
    """Each slice's ImagePositionPatient projected on the slice normal (truth, not a loader)."""
    return np.asarray(view.positions) @ view.normal


def expected_order(layout: str, view: PhantomView) -> np.ndarray:
    if view.name == "SAX" and layout == "ukbb":
        return np.arange(view.n_slices)  # the phantom renders slice 0 at the base
    return np.argsort(along_normal(view), kind="stable")


def stored_studies(ingested, layout: str):
    """(phantom study, store id) for every study the store holds."""
    suffix = "_2" if layout == "ukbb" else ""
    found = [(s, ingested.store_id(s.study_id + suffix)) for s in ingested.studies]
    kept = [(s, sid) for s, sid in found if sid in set(ingested.store.study_ids)]
    assert len(kept) == len(found) - sum("all_black" in q for q in ingested.truth["quirks"])
    return kept


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pixels_and_slice_order_equal_the_truth(layout, request):
    ingested = request.getfixturevalue(layout)
    for study, store_id in stored_studies(ingested, layout):
        stored_views = ingested.store.views(store_id)
        assert set(stored_views) == set(study.views) - (
            {"4CH"} if "missing_4ch" in _quirks(ingested, study) else set())
        for name in stored_views:
            truth = study.views[name]
            order = expected_order(layout, truth)
            stored = np.stack([ingested.store.read_cine(store_id, name, k)
                               for k in range(stored_views[name])])
            assert stored.shape == truth.cine[order].shape, (layout, name)
            assert np.array_equal(stored, truth.cine[order]), (layout, study.study_id, name)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_geometry_and_timing_equal_the_truth(layout, request):
    ingested = request.getfixturevalue(layout)
    for study, store_id in stored_studies(ingested, layout):
        for name in ingested.store.views(store_id):
            truth = study.views[name]
            geometry = ingested.store.geometry(store_id, name)
            order = expected_order(layout, truth)
            np.testing.assert_allclose(geometry["slice_positions_mm"],
                                       along_normal(truth)[order], atol=2e-3)
            np.testing.assert_allclose(geometry["pixel_spacing"], truth.pixel_spacing,
                                       rtol=1e-6)
            thickness = truth.slice_spacing if layout == "acdc" else truth.slice_thickness
            assert geometry["slice_thickness"] == pytest.approx(thickness, rel=1e-5)
            times = geometry["frame_times_ms"]
            if layout == "acdc":  # NIfTI keeps one time step, in the header's units
                step = np.mean(np.diff(truth.trigger_times))
                np.testing.assert_allclose(times, np.arange(truth.n_frames) * step, rtol=1e-5)
            else:
                np.testing.assert_allclose(times, truth.trigger_times, atol=0.006)
            assert geometry["slice_order"] == _order_label(layout, study, name, ingested)


def _quirks(ingested, study) -> str:
    return ingested.truth_row(study.study_id)["quirks"]


def _order_label(layout: str, study, view: str, ingested) -> str:
    if view != "SAX":
        return ORDER_ONE_SLICE
    if layout != "ukbb":
        return ORDER_ALONG_NORMAL
    single = "single_series" in _quirks(ingested, study)
    return ORDER_BY_ACQUISITION if single else ORDER_BY_NUMBER


def test_ukbb_normal_points_to_the_base_so_ordering_by_it_would_be_apex_first(ukbb):
    """What makes the b-number rule necessary: along the normal the stack runs apex first."""
    for study in ukbb.studies:
        positions = along_normal(study.views["SAX"])
        assert (np.diff(positions) < 0).all()
