"""A full ingest over pydicom's own test files: each file is stored or rejected with a reason."""

import json
import shutil
from pathlib import Path

from cmrbench.cards import card_path, load_card
from cmrbench.ingest import ingest
from cmrbench.ingest import reasons as vocabulary
from cmrbench.registry import get_registry
from cmrbench.store import StudyStore
from pydicom.data import get_testdata_file

FILES = ["MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm",
         "MR_small_jp2klossless.dcm", "MR_truncated.dcm", "examples_overlay.dcm",
         "examples_ybr_color.dcm", "rtplan.dcm", "CT_small.dcm", "MR_small_jpeg_ls_lossless.dcm",
         "JPEG-lossy.dcm"]


def clinical_source(root: Path) -> Path:
    series = root / "dicom" / "SITE_PATIENT" / "ACC1" / "series_1"
    series.mkdir(parents=True)
    for name in FILES:
        shutil.copy(get_testdata_file(name), series / name)
    (series / "garbage.dcm").write_bytes(b"\x00" * 300)
    return root


def test_no_file_crashes_the_run_and_every_file_is_accounted_for(tmp_path):
    """Every file is decoded or rejected with a reason; the decodable MR and CT images then
    meet the content checks, which no still image passes: pydicom's MR_small files say
    ScanningSequence SE (spin echo), the others hold one phase."""
    source = clinical_source(tmp_path / "src")
    text = card_path("clinical").read_text().replace(
        'view_map:\n', 'view_map:\n  - {pattern: ".*", view: SAX}\n')
    (tmp_path / "card.yaml").write_text(text)
    card = load_card(tmp_path / "card.yaml")
    spec = get_registry().dataset("clinical")
    report = ingest(spec.discover(source), card, tmp_path / "store", progress=False)
    assert report.written == [] and report.rejected_studies[0]["reason"] == "no usable views"
    reasons = {item["file"]: item["reason"] for item in report.rejected_files}
    assert reasons["series_1/MR_truncated.dcm"] == vocabulary.TRUNCATED_PIXELS
    assert reasons["series_1/rtplan.dcm"] == vocabulary.NO_PIXEL_DATA
    assert reasons["series_1/garbage.dcm"] == vocabulary.NOT_DICOM
    assert reasons["series_1/examples_ybr_color.dcm"] == vocabulary.UNSUPPORTED_IMAGE
    assert reasons["series_1/JPEG-lossy.dcm"] == vocabulary.UNDECODABLE
    assert "series_1/MR_small_jpeg_ls_lossless.dcm" not in reasons or reasons[
        "series_1/MR_small_jpeg_ls_lossless.dcm"] != vocabulary.UNSUPPORTED_SYNTAX
    for name in ("MR_small.dcm", "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm"):
        assert reasons[f"series_1/{name}"] == vocabulary.SPIN_ECHO
    assert reasons["series_1/examples_overlay.dcm"] == vocabulary.NOT_CINE
    assert set(reasons.values()) <= set(vocabulary.ADVICE), reasons
    assert len(reasons) == len(FILES) + 1
    assert StudyStore(tmp_path / "store").study_ids == []
    saved = json.loads((tmp_path / "store" / "ingest_report.json").read_text())
    assert len(saved["rejected_files"]) == len(reasons)
