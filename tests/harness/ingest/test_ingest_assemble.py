"""Assembling frames into views: series labelled, split into planes, repeats and oblique slices
left out, slices and frames ordered. Pixel values encode series, slice and frame, so every
check is by content."""

import re

import numpy as np
import pytest
from cmrbench.cards import SliceNumbering
from cmrbench.ingest import assemble_views, reasons
from cmrbench.ingest.assemble import ORDER_ALONG_NORMAL, ORDER_BY_ACQUISITION, ORDER_BY_NUMBER
from cmrbench.ingest.dicom import Frame

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)  # normal +z
UKB = SliceNumbering(re.compile(r"_b(\d+)$"), "base")


def frame(series: int, position: float, t: float, description: str = "sax", value: int = 1,
          size: int = 4, instance: int = 0, orientation: tuple | None = None,
          uid: str | None = None, thickness: float = 8.0) -> Frame:
    origin = None if orientation is None else tuple(
        position * np.cross(orientation[:3], orientation[3:]))
    return Frame(file=f"s{series}-p{position}-t{t}-i{instance}", series_uid=uid or f"uid{series}",
                 series_number=series, description=description, position_mm=position,
                 trigger_ms=t, instance=instance,
                 pixels=np.full((size, size), value, dtype=np.uint16), spacing=(1.5, 1.5),
                 thickness=thickness, origin=origin, orientation=orientation)


def assemble(frames: list[Frame], *args, **kwargs):
    """The assembly alone: these frames have no header and few phases, so the content checks
    stay off (test_ingest_content.py covers them)."""
    return assemble_views(frames, *args, checks=False, **kwargs)


def views_of(description: str) -> str | tuple[str, ...] | None:
    return {"sax": "SAX", "4ch": "4CH", "lax": ("3CH", "4CH", "2CH")}.get(
        description, "SAX" if description.startswith("sax_b") else None)


def values(cine: np.ndarray) -> np.ndarray:
    """The constant value of each (slice, frame)."""
    return cine[:, :, 0, 0].astype(int)


def test_sax_slices_are_stacked_by_position_and_frames_by_time():
    frames = [frame(s, pos, t, value=100 + int(pos) + int(t))
              for s, pos in ((3, 20.0), (1, -10.0), (2, 5.0)) for t in (60.0, 0.0, 30.0)]
    decoded = assemble(frames, views_of, ["SAX", "4CH"])
    views, rejected = decoded.views, decoded.rejected
    assert rejected == []
    sax = views["SAX"]
    np.testing.assert_array_equal(sax.slice_positions_mm, [-10.0, 5.0, 20.0])
    np.testing.assert_array_equal(sax.frame_times_ms, [0.0, 30.0, 60.0])
    assert sax.slice_order == ORDER_ALONG_NORMAL
    assert values(sax.cine).tolist() == [[90, 120, 150], [105, 135, 165], [120, 150, 180]]


def test_without_trigger_time_frames_follow_instance_number():
    """InstanceNumber orders frames when TriggerTime is absent (DICOM PS3.3 C.7.6.1.1.8)."""
    frames = [frame(1, 0.0, np.nan, value=10 * i, instance=i) for i in (3, 1, 4, 2)]
    sax = assemble(frames, views_of, ["SAX"]).views["SAX"]
    assert values(sax.cine).tolist() == [[10, 20, 30, 40]]


def test_repeated_series_keeps_the_last_and_rejects_the_rest():
    first = [frame(5, 0.0, t, value=1) for t in (0.0, 30.0)]
    repeat = [frame(9, 0.0, t, value=2) for t in (0.0, 30.0)]
    decoded = assemble(first + repeat, views_of, ["SAX"])
    assert int(decoded.views["SAX"].cine.max()) == 2
    assert [r.reason for r in decoded.rejected] == [reasons.REPEATED_SERIES] * 2


def test_a_repeat_replanned_a_few_mm_away_replaces_its_slice():
    """Kaggle DSB FAQ: keep the last series at a repeated slice location; a re-planned repeat
    3 mm from the first attempt (8 mm slices) images the same slab."""
    stack = [frame(s, 10.0 * s, t, value=s) for s in (1, 2, 3) for t in (0.0, 30.0)]
    moved = [frame(7, 27.0, t, value=7) for t in (0.0, 30.0)]
    decoded = assemble(stack + moved, views_of, ["SAX"])
    sax = decoded.views["SAX"]
    assert values(sax.cine)[:, 0].tolist() == [1, 2, 7]
    np.testing.assert_array_equal(sax.slice_positions_mm, [10.0, 20.0, 27.0])
    assert {r.file for r in decoded.rejected} == {f.file for f in stack if f.series_number == 3}
    assert "3.0 mm away" in decoded.rejected[0].detail


def test_slices_a_thickness_apart_are_never_repeats():
    frames = [frame(s, 8.0 * s, 0.0, value=s) for s in (1, 2, 3)]
    decoded = assemble(frames, views_of, ["SAX"])
    assert decoded.rejected == [] and decoded.views["SAX"].cine.shape[0] == 3


def test_an_oblique_slice_is_left_out_and_positions_follow_the_stack_normal():
    """kaggle-heart and CineMA group SAX slices by ImageOrientationPatient; positions of the
    kept stack are measured along its own normal."""
    stack = [frame(s, 10.0 * s, 0.0, value=s, orientation=AXIAL) for s in (1, 2, 3)]
    oblique_orientation = (1.0, 0.0, 0.0, 0.0, np.cos(0.5), np.sin(0.5))
    oblique = [frame(9, 15.0, 0.0, value=9, orientation=oblique_orientation)]
    decoded = assemble(stack + oblique, views_of, ["SAX"])
    sax = decoded.views["SAX"]
    assert values(sax.cine)[:, 0].tolist() == [1, 2, 3]
    np.testing.assert_allclose(sax.slice_positions_mm, [10.0, 20.0, 30.0])
    (rejection,) = decoded.rejected
    assert rejection.reason == reasons.OTHER_ORIENTATION and rejection.file == oblique[0].file


def test_b_numbers_order_the_stack_base_first_and_keep_the_last_series_per_number():
    """ukbb_cardiac (biobank_utils.py) sorts CINE_segmented_SAX_bN by N (b1 = base) and keeps
    one series per name. Here positions ascend towards the apex... and b-numbers do not."""
    stack = [frame(10 + b, -10.0 * b, t, description=f"sax_b{b}", value=b)
             for b in (1, 2, 3) for t in (0.0, 30.0)]
    again = [frame(20, -27.0, t, description="sax_b3", value=33) for t in (0.0, 30.0)]
    decoded = assemble(stack + again, views_of, ["SAX"], UKB)
    sax = decoded.views["SAX"]
    assert values(sax.cine)[:, 0].tolist() == [1, 2, 33]
    assert sax.slice_order == ORDER_BY_NUMBER
    np.testing.assert_array_equal(sax.slice_positions_mm, [-10.0, -20.0, -27.0])
    assert {r.reason for r in decoded.rejected} == {reasons.REPEATED_SERIES}
    assert "slice 3" in decoded.rejected[0].detail


def test_a_single_series_stack_is_split_by_position_in_acquisition_order():
    """UK Biobank's single CINE_segmented_SAX series: slices of CardiacNumberOfImages frames,
    acquired base first (ukbb_cardiac splits it in file order)."""
    frames = [frame(10, -12.0 * k, t, value=k, instance=1 + 2 * k + i, uid="one")
              for k in (0, 1, 2) for i, t in enumerate((0.0, 30.0))]
    decoded = assemble(frames[::-1], views_of, ["SAX"], UKB)
    sax = decoded.views["SAX"]
    assert decoded.rejected == [] and sax.slice_order == ORDER_BY_ACQUISITION
    assert values(sax.cine)[:, 0].tolist() == [0, 1, 2]


def test_a_multi_plane_series_gets_one_view_per_plane_in_acquisition_order():
    orientations = {"3CH": (1.0, 0, 0, 0, 1.0, 0), "4CH": (0, 1.0, 0, 0, 0, 1.0),
                    "2CH": (1.0, 0, 0, 0, 0, 1.0)}
    frames = [frame(5, 0.0, t, description="lax", value=10 * k + i, instance=1 + 2 * k + i,
                    orientation=orientations[view])
              for k, view in enumerate(("3CH", "4CH", "2CH")) for i, t in enumerate((0., 30.))]
    decoded = assemble(frames, views_of, ["3CH", "4CH", "2CH"])
    assert decoded.rejected == []
    assert {view: values(v.cine).tolist() for view, v in decoded.views.items()} == {
        "3CH": [[0, 1]], "4CH": [[10, 11]], "2CH": [[20, 21]]}


@pytest.mark.parametrize("description", ["4ch", "lax"])
def test_a_series_with_more_planes_than_its_rule_names_is_refused(description):
    """Three planes under a one-view rule (or two under a three-view rule): never mislabelled."""
    planes = 2 if description == "lax" else 3
    frames = [frame(5, float(k), 0.0, description=description, instance=k + 1,
                    orientation=(1.0, 0, 0, 0, np.cos(k), np.sin(k))) for k in range(planes)]
    decoded = assemble(frames, views_of, ["3CH", "4CH", "2CH"])
    assert decoded.views == {}
    assert {r.reason for r in decoded.rejected} == {reasons.MULTI_PLANE}
    assert f"holds {planes} planes" in decoded.rejected[0].detail


def test_unmapped_and_inconsistent_series_are_rejected_by_file():
    good = [frame(1, 0.0, t) for t in (0.0, 30.0)] + [frame(2, 10.0, t) for t in (0.0, 30.0)]
    odd = [frame(3, 20.0, t, size=6) for t in (0.0, 30.0)]
    scout = [frame(4, 0.0, 0.0, description="localizer")]
    decoded = assemble(good + odd + scout, views_of, ["SAX"])
    assert decoded.views["SAX"].cine.shape == (2, 2, 4, 4)
    reasons_found = sorted(r.reason for r in decoded.rejected)
    assert reasons_found == [reasons.INCONSISTENT_GEOMETRY] * 2 + [reasons.UNMAPPED]


@pytest.mark.parametrize("duplicate_time", [True, False])
def test_repeated_time_point_keeps_the_last_acquisition(duplicate_time):
    frames = [frame(1, 0.0, 0.0, value=1, instance=1), frame(1, 0.0, 30.0, value=1, instance=2)]
    frames.append(frame(1, 0.0, 0.0 if duplicate_time else 60.0, value=7, instance=3))
    decoded = assemble(frames, views_of, ["SAX"])
    views, rejected = decoded.views, decoded.rejected
    assert views["SAX"].cine.shape[1] == (2 if duplicate_time else 3)
    assert len(rejected) == (1 if duplicate_time else 0)
    assert views["SAX"].cine[0, 0, 0, 0] == (7 if duplicate_time else 1)


def test_a_mapped_view_the_dataset_does_not_hold_is_named_as_such():
    frames = [frame(1, 0.0, 0.0), frame(2, 0.0, 0.0, description="4ch")]
    decoded = assemble(frames, views_of, ["SAX"])
    assert set(decoded.views) == {"SAX"}
    (rejection,) = decoded.rejected
    assert rejection.reason == reasons.VIEW_NOT_IN_DATASET and "4CH" in rejection.detail
