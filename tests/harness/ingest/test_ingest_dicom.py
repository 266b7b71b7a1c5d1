"""DICOM decoding: real files decode (compressed ones too) or are rejected with a reason."""

from pathlib import Path

import numpy as np
import pydicom
import pytest
from cmrbench.ingest import FileRef, read_frames, reasons
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import MPEG4HP41

PYDICOM_FILES = ["MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
                 "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm", "MR_small_expb.dcm",
                 "MR_truncated.dcm", "examples_overlay.dcm", "examples_ybr_color.dcm",
                 "rtplan.dcm", "CT_small.dcm", "MR_small_jpeg_ls_lossless.dcm",
                 "JPEG-lossy.dcm", "SC_rgb_jpeg_gdcm.dcm"]


def pydicom_file(name: str) -> FileRef:
    return FileRef(Path(get_testdata_file(name)))


def test_pydicom_test_files_decode_or_are_rejected_with_a_reason():
    refs = [pydicom_file(name) for name in PYDICOM_FILES]
    frames, rejected = read_frames(refs)
    outcome = {f.file: "ok" for f in frames} | {r.file: r.reason for r in rejected}
    assert set(outcome) == set(PYDICOM_FILES)
    for name in ("MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
                 "MR_small_RLE.dcm", "CT_small.dcm", "examples_overlay.dcm",
                 "MR_small_jp2klossless.dcm", "MR_small_jpeg_ls_lossless.dcm"):
        assert outcome[name] == "ok", (name, outcome[name])
    assert outcome["MR_truncated.dcm"] == reasons.TRUNCATED_PIXELS
    assert outcome["rtplan.dcm"] == reasons.NO_PIXEL_DATA
    assert outcome["examples_ybr_color.dcm"] == reasons.UNSUPPORTED_IMAGE
    # JPEG Lossless (process 14) decodes; the image is RGB, which no cine is
    assert outcome["SC_rgb_jpeg_gdcm.dcm"] == reasons.UNSUPPORTED_IMAGE
    # a decoder exists for 12-bit JPEG Extended, but libjpeg fails on this file
    assert outcome["JPEG-lossy.dcm"] == reasons.UNDECODABLE
    small = {f.file: f for f in frames}["MR_small.dcm"]
    assert small.pixels.shape == (64, 64) and small.spacing[0] > 0


@pytest.mark.parametrize("name", ["MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm",
                                  "MR_small_RLE.dcm"])
def test_lossless_compressed_files_decode_to_the_uncompressed_pixels(name):
    """pydicom ships one MR image in several encodings (its test-file README): a lossless
    decode must give exactly the uncompressed pixels."""
    (reference, compressed), rejected = read_frames([pydicom_file("MR_small.dcm"),
                                                     pydicom_file(name)])
    assert rejected == []
    np.testing.assert_array_equal(compressed.pixels, reference.pixels)


def test_jpeg_lossless_decodes_to_the_rle_pixels():
    """SC_rgb_jpeg_gdcm.dcm (JPEG Lossless, SV1) and SC_rgb_rle.dcm hold the same image."""
    jpeg = pydicom.dcmread(get_testdata_file("SC_rgb_jpeg_gdcm.dcm")).pixel_array
    rle = pydicom.dcmread(get_testdata_file("SC_rgb_rle.dcm")).pixel_array
    np.testing.assert_array_equal(jpeg, rle)


def test_a_syntax_without_any_decoder_is_named(tmp_path):
    ds = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    ds.file_meta.TransferSyntaxUID = MPEG4HP41
    ds.PixelData = encapsulate([ds.PixelData])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    path = tmp_path / "video.dcm"
    ds.save_as(path, enforce_file_format=True)
    frames, (rejection,) = read_frames([FileRef(path)])
    assert frames == [] and rejection.reason == reasons.UNSUPPORTED_SYNTAX
    assert "MPEG-4 AVC/H.264 High Profile" in rejection.detail


def test_not_a_dicom_file_is_corrupt(tmp_path):
    junk = tmp_path / "IM-0001-0001.dcm"
    junk.write_bytes(b"this is not dicom at all" * 10)
    frames, (rejection,) = read_frames([FileRef(junk)])
    assert frames == [] and rejection.reason == reasons.NOT_DICOM


def test_geometry_tags_are_kept():
    (frame,), _ = read_frames([pydicom_file("MR_small.dcm")])
    ds = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    assert frame.origin == tuple(float(v) for v in ds.ImagePositionPatient)
    assert frame.orientation == tuple(float(v) for v in ds.ImageOrientationPatient)
    normal = np.cross(frame.orientation[:3], frame.orientation[3:])
    assert frame.position_mm == pytest.approx(float(normal @ np.asarray(frame.origin)), abs=0.05)
