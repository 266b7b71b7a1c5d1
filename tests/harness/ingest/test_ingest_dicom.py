"""DICOM decoding: real files decode or are rejected with a reason; series become views."""

from pathlib import Path

import numpy as np
import pytest
from cmrbench.ingest import FileRef, assemble_views, read_frames
from cmrbench.ingest.dicom import Frame
from pydicom.data import get_testdata_file

PYDICOM_FILES = ["MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
                 "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm", "MR_small_expb.dcm",
                 "MR_truncated.dcm", "examples_overlay.dcm", "examples_ybr_color.dcm",
                 "rtplan.dcm", "CT_small.dcm", "MR_small_jpeg_ls_lossless.dcm"]


def pydicom_file(name: str) -> FileRef:
    return FileRef(Path(get_testdata_file(name)))


def test_pydicom_test_files_decode_or_are_rejected_with_a_reason():
    refs = [pydicom_file(name) for name in PYDICOM_FILES]
    frames, rejected = read_frames(refs)
    outcome = {f.file: "ok" for f in frames} | {r.file: r.reason for r in rejected}
    assert set(outcome) == set(PYDICOM_FILES)
    for name in ("MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
                 "MR_small_RLE.dcm", "CT_small.dcm", "examples_overlay.dcm"):
        assert outcome[name] == "ok", (name, outcome[name])
    assert outcome["MR_truncated.dcm"].startswith("truncated")
    assert outcome["rtplan.dcm"] == "no pixel data"
    assert outcome["MR_small_jpeg_ls_lossless.dcm"] == (
        "unsupported transfer syntax: JPEG-LS Lossless Image Compression")
    assert outcome["examples_ybr_color.dcm"] == "unsupported image"
    small = {f.file: f for f in frames}["MR_small.dcm"]
    assert small.pixels.shape == (64, 64) and small.spacing[0] > 0


def test_not_a_dicom_file_is_corrupt(tmp_path):
    junk = tmp_path / "IM-0001-0001.dcm"
    junk.write_bytes(b"this is not dicom at all" * 10)
    frames, (rejection,) = read_frames([FileRef(junk)])
    assert frames == [] and rejection.reason.startswith("corrupt")


def frame(series: int, position: float, t: float, description: str = "sax", value: int = 1,
          size: int = 4, instance: int = 0) -> Frame:
    return Frame(file=f"s{series}-p{position}-t{t}-i{instance}", series_uid=f"uid{series}",
                 series_number=series, description=description, position_mm=position,
                 trigger_ms=t, instance=instance,
                 pixels=np.full((size, size), value, dtype=np.uint16), spacing=(1.5, 1.5),
                 thickness=8.0)


def views_of(description: str) -> str | None:
    return {"sax": "SAX", "4ch": "4CH"}.get(description)


def test_sax_slices_are_stacked_by_position_and_frames_by_time():
    frames = [frame(s, pos, t, value=100 + int(pos) + int(t))
              for s, pos in ((3, 20.0), (1, -10.0), (2, 5.0)) for t in (60.0, 0.0, 30.0)]
    decoded = assemble_views(frames, views_of, ["SAX", "4CH"])
    views, rejected = decoded.views, decoded.rejected
    assert rejected == []
    sax = views["SAX"]
    np.testing.assert_array_equal(sax.slice_positions_mm, [-10.0, 5.0, 20.0])
    np.testing.assert_array_equal(sax.frame_times_ms, [0.0, 30.0, 60.0])
    assert sax.cine.shape == (3, 3, 4, 4)
    assert sax.cine[0, 2, 0, 0] == 150  # position -10 at 60 ms


def test_repeated_series_keeps_the_last_and_rejects_the_rest():
    first = [frame(5, 0.0, t, value=1) for t in (0.0, 30.0)]
    repeat = [frame(9, 0.0, t, value=2) for t in (0.0, 30.0)]
    decoded = assemble_views(first + repeat, views_of, ["SAX"])
    views, rejected = decoded.views, decoded.rejected
    assert int(views["SAX"].cine.max()) == 2
    assert [r.reason for r in rejected] == ["repeated series", "repeated series"]


def test_unmapped_and_inconsistent_series_are_rejected_by_file():
    good = [frame(1, 0.0, t) for t in (0.0, 30.0)] + [frame(2, 10.0, t) for t in (0.0, 30.0)]
    odd = [frame(3, 20.0, t, size=6) for t in (0.0, 30.0)]
    scout = [frame(4, 0.0, 0.0, description="localizer")]
    decoded = assemble_views(good + odd + scout, views_of, ["SAX"])
    views, rejected = decoded.views, decoded.rejected
    assert views["SAX"].cine.shape == (2, 2, 4, 4)
    reasons = sorted(r.reason for r in rejected)
    assert reasons == ["inconsistent geometry"] * 2 + ["unmapped series description"]


@pytest.mark.parametrize("duplicate_time", [True, False])
def test_repeated_time_point_keeps_the_last_acquisition(duplicate_time):
    frames = [frame(1, 0.0, 0.0, value=1, instance=1), frame(1, 0.0, 30.0, value=1, instance=2)]
    frames.append(frame(1, 0.0, 0.0 if duplicate_time else 60.0, value=7, instance=3))
    decoded = assemble_views(frames, views_of, ["SAX"])
    views, rejected = decoded.views, decoded.rejected
    assert views["SAX"].cine.shape[1] == (2 if duplicate_time else 3)
    assert len(rejected) == (1 if duplicate_time else 0)
    assert views["SAX"].cine[0, 0, 0, 0] == (7 if duplicate_time else 1)


def test_a_mapped_view_the_dataset_does_not_hold_is_named_as_such():
    frames = [frame(1, 0.0, 0.0), frame(2, 0.0, 0.0, description="4ch")]
    decoded = assemble_views(frames, views_of, ["SAX"])
    assert set(decoded.views) == {"SAX"}
    (rejection,) = decoded.rejected
    assert rejection.reason == "view not in this dataset" and "4CH" in rejection.detail
