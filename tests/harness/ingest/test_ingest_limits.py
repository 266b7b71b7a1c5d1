"""Hostile inputs: what ingest reads is bounded, and each refusal is reported with its reason.

The zip bomb is a UK Biobank-style zip whose member inflates to 2 GiB of zeros (PKWARE
APPNOTE 6.3.x: local headers, raw deflate data, central directory). It is written streaming,
one deflate block repeated, so building it costs a second and 2 MB of disk.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pydicom
import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.ingest import FileRef, ReadLimits, StudyTooLarge, ingest, read_frames, reasons
from cmrbench.registry import get_registry
from pydicom.data import get_testdata_file

MiB = 2**20
GiB = 2**30
PEAK_RSS_BOUND = GiB  # the stated bound on an ingest's resident memory, whatever the input
DICM_PREFIX = bytes(128) + b"DICM"


def write_zeros_zip(path: Path, members: dict[str, tuple[bytes, int]]) -> None:
    """A zip whose members are ``prefix`` followed by zeros up to ``size`` bytes, deflated.

    After a full flush a deflate stream holds no history, so one compressed 16 MiB block of
    zeros can be repeated as often as needed: the archive is written without ever holding or
    compressing the inflated bytes.
    """
    chunk = 16 * MiB
    central, offset = [], 0
    with open(path, "wb") as handle:
        for name, (prefix, size) in members.items():
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            head = packer.compress(prefix) + packer.flush(zlib.Z_FULL_FLUSH)
            block = packer.compress(bytes(chunk)) + packer.flush(zlib.Z_FULL_FLUSH)
            repeats, rest = divmod(size - len(prefix), chunk)
            tail = packer.compress(bytes(rest)) + packer.flush(zlib.Z_FINISH)
            crc = zlib.crc32(prefix)
            zeros = bytes(chunk)
            for _ in range(repeats):
                crc = zlib.crc32(zeros, crc)
            crc = zlib.crc32(bytes(rest), crc)
            compressed = len(head) + repeats * len(block) + len(tail)
            fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, crc, compressed, size,
                                 len(name), 0)
            handle.write(b"PK\x03\x04" + fields + name.encode())
            handle.write(head)
            for _ in range(repeats):
                handle.write(block)
            handle.write(tail)
            central.append(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                           + struct.pack("<HHHII", 0, 0, 0, 0, offset) + name.encode())
            offset = handle.tell()
        directory = b"".join(central)
        handle.write(directory + b"PK\x05\x06" + struct.pack(
            "<HHHHIIH", 0, 0, len(central), len(central), len(directory), offset, 0))


def peak_traced(function) -> tuple[object, int]:
    """``function()``'s result and the peak of Python allocations while it ran, in bytes."""
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_zip_writer_makes_a_valid_archive(tmp_path):
    path = tmp_path / "small.zip"
    write_zeros_zip(path, {"a.dcm": (DICM_PREFIX, 40 * MiB + 5)})
    with zipfile.ZipFile(path) as archive:
        data = archive.read("a.dcm")  # inflates fully and checks the CRC
    assert len(data) == 40 * MiB + 5 and data.startswith(DICM_PREFIX)
    assert data.count(0) == len(data) - 4


def test_a_non_dicom_member_is_refused_after_its_preamble(tmp_path):
    path = tmp_path / "zeros.zip"
    write_zeros_zip(path, {"zeros.dcm": (b"", 32 * MiB)})
    (frames, rejected), peak = peak_traced(lambda: read_frames([FileRef(path, "zeros.dcm")]))
    assert frames == [] and [r.reason for r in rejected] == [reasons.NOT_DICOM]
    assert peak < MiB, f"{peak} bytes allocated to refuse a member by its first 132 bytes"


def test_an_oversized_member_is_refused_by_its_declared_size_unread(tmp_path):
    path = tmp_path / "big.zip"
    write_zeros_zip(path, {"big.dcm": (DICM_PREFIX, 32 * MiB)})
    limits = ReadLimits(file_bytes=8 * MiB)
    (frames, rejected), peak = peak_traced(
        lambda: read_frames([FileRef(path, "big.dcm")], limits))
    (rejection,) = rejected
    assert rejection.reason == reasons.OVERSIZED_FILE
    assert peak < MiB, f"{peak} bytes allocated to refuse a member by its declared size"
    assert f"{32 * MiB} bytes declared" in rejection.detail


def _save(ds: pydicom.Dataset, path: Path) -> FileRef:
    ds.save_as(path, enforce_file_format=True)
    return FileRef(path)


def test_pixel_data_larger_than_the_header_declares_is_refused(tmp_path):
    """Native pixel data holds rows x columns x frames x samples x bits/8 bytes (PS3.5 8.1.1)."""
    ds = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    ds.PixelData = ds.PixelData + bytes(64 * 64 * 2)
    frames, (rejection,) = read_frames([_save(ds, tmp_path / "long.dcm")])
    assert frames == [] and rejection.reason == reasons.EXCESS_PIXEL_DATA
    assert "16384 bytes stored" in rejection.detail and "8192" in rejection.detail


def test_an_image_declared_larger_than_the_limit_is_never_decoded(tmp_path):
    ds = pydicom.dcmread(get_testdata_file("MR_small_RLE.dcm"))
    ds.Rows = ds.Columns = 4096  # RLE: the decoder would allocate 32 MiB from these
    limits = ReadLimits(image_bytes=16 * MiB)
    frames, (rejection,) = read_frames([_save(ds, tmp_path / "huge.dcm")], limits)
    assert frames == [] and rejection.reason == reasons.OVERSIZED_IMAGE
    assert f"declares {4096 * 4096 * 2} bytes" in rejection.detail


def test_a_study_past_its_pixel_budget_is_refused():
    refs = [FileRef(Path(get_testdata_file("MR_small.dcm")))] * 3
    with pytest.raises(StudyTooLarge, match="exceed 16384 bytes"):
        read_frames(refs, ReadLimits(study_bytes=2 * 64 * 64 * 2))


def test_symlinks_out_of_the_source_tree_are_refused_and_reported(tmp_path):
    source = tmp_path / "src"
    series = source / "dicom" / "SITE_P1" / "ACC1" / "series_001"
    series.mkdir(parents=True)
    image = Path(get_testdata_file("MR_small.dcm"))
    (series / "IM00001.dcm").write_bytes(image.read_bytes())
    outside = tmp_path / "elsewhere.dcm"
    outside.write_bytes(image.read_bytes())
    (series / "IM00002.dcm").symlink_to(outside)
    (series / "IM00003.dcm").symlink_to(series / "IM00001.dcm")  # inside: fine
    card = load_card(card_path("clinical"))
    card = card.__class__(**{**card.__dict__, "view_map": (), "path": None})
    spec = get_registry().dataset("clinical")
    report = ingest(spec.discover(source), card, tmp_path / "store", progress=False,
                    source=source)
    by_file = {item["file"]: item["reason"] for item in report.rejected_files}
    assert by_file["series_001/IM00002.dcm"] == reasons.OUTSIDE_SOURCE
    assert by_file["series_001/IM00001.dcm"] == by_file["series_001/IM00003.dcm"] == (
        reasons.UNMAPPED)  # read, then refused for their description, not their link


# The ingest runs in this process (one worker: no pool). Its peak is VmHWM, the high-water mark
# of this process's own memory map: ru_maxrss would not do, because Linux carries the forking
# parent's peak (a large pytest process) across exec into the child's ru_maxrss.
INGEST_AND_MEASURE = """
import re, sys
from pathlib import Path
from cmrbench.cli import main
code = main(["ingest", "ukbb", sys.argv[1], "--out", sys.argv[2], "--workers", "1",
             "--no-progress"])
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(f"exit={code} peak_kib={peak}")
"""


def test_a_zip_bomb_is_refused_within_the_memory_bound(tmp_path):
    """A UK Biobank zip whose member inflates to 2 GiB of zeros is refused by its declared size,
    one of 48 MiB (under the file limit) after its first 132 bytes; the ingest's peak resident
    memory stays under 1 GiB."""
    source = tmp_path / "ukb"
    source.mkdir()
    write_zeros_zip(source / "1000001_20209_2_0.zip", {
        "1.2.3.4.dcm": (b"", 2 * GiB), "1.2.3.5.dcm": (b"", 48 * MiB)})
    assert (source / "1000001_20209_2_0.zip").stat().st_size < 4 * MiB
    store = tmp_path / "store"
    result = subprocess.run([sys.executable, "-c", INGEST_AND_MEASURE, str(source), str(store)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert "exit=1" in result.stdout, result.stdout + result.stderr
    peak_bytes = int(result.stdout.split("peak_kib=")[1]) * 1024
    assert peak_bytes < PEAK_RSS_BOUND, f"peak resident memory {peak_bytes / MiB:.0f} MiB"
    report = json.loads((store / "ingest_report.json").read_text())
    assert {item["file"]: item["reason"] for item in report["rejected_files"]} == {
        "20209/1.2.3.4.dcm": reasons.OVERSIZED_FILE, "20209/1.2.3.5.dcm": reasons.NOT_DICOM}
    assert report["rejected_studies"][0]["reason"] == "no usable views"


def test_damaged_members_and_folders_are_refused_one_by_one(tmp_path):
    """A member whose deflate data is damaged, or a folder named like a DICOM file, costs one
    rejection; the good member of the same zip is still read."""
    path = tmp_path / "damaged.zip"
    image = Path(get_testdata_file("MR_small.dcm")).read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bad.dcm", image)
        archive.writestr("good.dcm", image)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"bad.dcm") + len("bad.dcm")
    raw[start + 200:start + 260] = bytes(60)
    path.write_bytes(bytes(raw))
    (tmp_path / "folder.dcm").mkdir()
    refs = [FileRef(path, "bad.dcm"), FileRef(path, "good.dcm"), FileRef(tmp_path / "folder.dcm")]
    frames, rejected = read_frames(refs)
    assert [f.file for f in frames] == ["good.dcm"]
    assert {r.file: r.reason for r in rejected} == {"bad.dcm": reasons.CORRUPT,
                                                    "folder.dcm": reasons.CORRUPT}
    assert all(str(tmp_path) not in r.detail for r in rejected)


def test_reading_a_member_streams_it(tmp_path):
    path = tmp_path / "one.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.dcm", b"abc" * 1000)
    ref = FileRef(path, "x.dcm")
    assert ref.declared_size() == 3000
    with ref.open() as stream:
        assert isinstance(stream, io.BufferedIOBase) or hasattr(stream, "read")
        assert stream.read(3) == b"abc"
    assert ref.read_bytes() == b"abc" * 1000
