"""Each dataset's export styles, built to the published conventions and read by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.cli import main
from cmrbench.ingest import SourceStudy, decode_dicom, ingest, reasons
from cmrbench.plugins.datasets import acdc, kaggle, ukbb
from cmrbench.registry import get_registry
from cmrbench.store import StudyStore
from pydicom.uid import JPEG2000Lossless, JPEGLSLossless, RLELossless


def test_kaggle_solution_csv_is_long_format(tmp_path):
    """The released solution.csv is "Id,Volume" with Id "<id>_Systole" / "<id>_Diastole";
    train.csv and validate.csv are "Id,Systole,Diastole" (Kaggle DSB 2015 data page)."""
    (tmp_path / "train.csv").write_text("Id,Systole,Diastole\n1,60.0,150.0\n")
    (tmp_path / "solution.csv").write_text(
        "Id,Volume\n701_Diastole,200.0\n701_Systole,120.0\n702_Systole,30.5\n"
        "702_Diastole,122.0\n703_Diastole,99.0\n")
    labels = kaggle._labels(tmp_path)
    assert labels["1"] == {"systole_ml": 60.0, "diastole_ml": 150.0, "lvef": 60.0}
    assert labels["701"] == {"systole_ml": 120.0, "diastole_ml": 200.0, "lvef": 40.0}
    assert labels["702"] == {"systole_ml": 30.5, "diastole_ml": 122.0, "lvef": 75.0}
    assert "703" not in labels  # a study with one phase only has no complete label


def test_ukbb_lvef_in_all_three_export_styles_and_instance_3(tmp_path):
    """Field 22420: legacy ukbconv "22420-2.0"/"22420-3.0" by "eid"; RAP table exporter
    "p22420_i2"/"p22420_i3" by "eid"; dx extract_dataset "participant.p22420_i2" by
    "participant.eid" (UK Biobank RAP documentation)."""
    (tmp_path / "legacy.csv").write_text("eid,21001-2.0,22420-2.0,22420-3.0\n1000001,24.1,55,\n")
    (tmp_path / "rap.csv").write_text("eid,p22420_i2,p22420_i3\n1000002,61,58\n")
    (tmp_path / "dx.csv").write_text(
        "participant.eid,participant.p22420_i2,participant.p31\n1000003,47,1\n")
    (tmp_path / "other.csv").write_text("eid,p22421_i2\n1000004,140\n")
    assert ukbb.lvef_table(tmp_path) == {
        ("1000001", "2"): 55.0, ("1000002", "2"): 61.0, ("1000002", "3"): 58.0,
        ("1000003", "2"): 47.0}


def _participant(ingested, quirk: str) -> SourceStudy:
    (raw,) = [r for r, q in zip(ingested.truth["study_id"], ingested.truth["quirks"],
                                strict=True) if q.split(";")[0] == quirk]
    return next(s for s in ukbb.discover(ingested.source) if s.patient == raw)


def test_a_one_view_rule_cannot_mislabel_the_single_series_long_axis(ukbb, tmp_path):
    """Following the old hint (CINE_segmented_LAX -> 4CH) would have stored 2Ch images as 4CH;
    a rule naming one view for a three-plane series refuses the series instead."""
    text = card_path("ukbb").read_text().replace(
        '{pattern: "^CINE_segmented_LAX$", views: [3CH, 4CH, 2CH]}',
        '{pattern: "^CINE_segmented_LAX$", view: 4CH}')
    (tmp_path / "card.yaml").write_text(text)
    card = load_card(tmp_path / "card.yaml")
    decoded = decode_dicom(_participant(ukbb, "single_series"), card)
    assert set(decoded.views) == {"SAX"}
    refused = [r for r in decoded.rejected if r.reason == reasons.MULTI_PLANE]
    assert len(refused) == 150 and "holds 3 planes" in refused[0].detail


def test_the_single_series_long_axis_is_split_in_acquisition_order(ukbb):
    """ukbb_cardiac (data/biobank_utils.py): the first CardiacNumberOfImages files of
    CINE_segmented_LAX are 3Ch, the next 4Ch, the last 2Ch."""
    study = next(s for s in ukbb.studies if "single_series" in ukbb.truth_row(
        s.study_id)["quirks"])
    decoded = decode_dicom(_participant(ukbb, "single_series"),
                           load_card(card_path("ukbb")))
    for view in ("3CH", "4CH", "2CH"):
        assert np.array_equal(decoded.views[view].cine[0], study.views[view].cine[0]), view


def write_nifti_cine(folder: Path, unit: str, step: float) -> Path:
    folder.mkdir(parents=True)
    data = np.arange(8 * 6 * 3 * 4, dtype=np.int16).reshape(8, 6, 3, 4)  # (X, Y, Z, T)
    image = nib.Nifti1Image(data, np.diag([1.5, 1.25, 10.0, 1.0]))
    image.header.set_xyzt_units("mm", unit)
    image.header.set_zooms((1.5, 1.25, 10.0, step))
    nib.save(image, folder / "patient001_4d.nii.gz")
    (folder / "Info.cfg").write_text("ED: 1\nES: 2\nGroup: NOR\n")
    return folder


@pytest.mark.parametrize(("unit", "step", "ms"), [("sec", 0.035, 35.0), ("msec", 35.0, 35.0),
                                                  ("usec", 35000.0, 35.0),
                                                  ("unknown", 35.0, 35.0)])
def test_acdc_frame_times_honour_xyzt_units(tmp_path, unit, step, ms):
    """NIfTI-1 xyzt_units gives the unit of pixdim[4] (nifti1.h: NIFTI_UNITS_SEC/MSEC/USEC);
    unknown is read as ms, as cardiac converters (ukbb_cardiac) write pixdim[4]."""
    write_nifti_cine(tmp_path / "database" / "training" / "patient001", unit, step)
    (study,) = acdc.discover(tmp_path)
    view = acdc.decode(study, load_card(card_path("acdc"))).views["SAX"]
    np.testing.assert_allclose(view.frame_times_ms, np.arange(4) * ms, rtol=1e-6)
    assert view.pixel_spacing == pytest.approx((1.25, 1.5))
    # voxel (x, y) is stored at (row y, column x): image[y, x] of slice z, frame t
    data = np.arange(8 * 6 * 3 * 4).reshape(8, 6, 3, 4)
    assert view.cine[2, 3, 5, 7] == data[7, 5, 2, 3]


def test_acdc_units_that_are_not_a_time_are_refused_with_a_reason(tmp_path):
    write_nifti_cine(tmp_path / "training" / "patient001", "hz", 20.0)
    (study,) = acdc.discover(tmp_path)
    decoded = acdc.decode(study, load_card(card_path("acdc")))
    (rejection,) = decoded.rejected
    assert decoded.views == {} and rejection.reason == reasons.UNSUPPORTED_IMAGE
    assert "'hz'" in rejection.detail


def test_acdc_is_found_under_database_and_a_wrong_root_names_the_layout(tmp_path, capsys):
    """The current download unpacks to database/{training,testing}/ beside
    MANDATORY_CITATION.md (SPEC section 8)."""
    write_nifti_cine(tmp_path / "ACDC" / "database" / "testing" / "patient101", "msec", 30.0)
    assert [s.key for s in acdc.discover(tmp_path / "ACDC")] == ["patient101"]
    assert list(acdc.discover(tmp_path)) == []
    assert main(["ingest", "acdc", str(tmp_path), "--out", str(tmp_path / "store")]) == 2
    error = capsys.readouterr().err
    assert "found no acdc study under" in error and "database/{training,testing}" in error


def compressed_copy(study_dir: Path, target: Path) -> int:
    """The study re-encoded, series by series, as JPEG-LS, JPEG 2000 and RLE lossless."""
    syntaxes = (JPEGLSLossless, JPEG2000Lossless, RLELossless)
    files = 0
    for index, series in enumerate(sorted(study_dir.iterdir())):
        (target / series.name).mkdir(parents=True)
        for path in sorted(series.iterdir()):
            ds = pydicom.dcmread(path)
            ds.compress(syntaxes[index % len(syntaxes)])
            ds.save_as(target / series.name / path.name, enforce_file_format=True)
            files += 1
    return files


def test_compressed_exports_decode_to_the_same_store(clinical, tmp_path):
    """A PACS may export JPEG-LS, JPEG 2000 or RLE lossless (DICOM PS3.5 Annex A.4): the
    pixels stored must be those of the uncompressed export."""
    (study_dir,) = list((clinical.source / "dicom").glob("*/*"))[:1]
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    relative = study_dir.relative_to(clinical.source)
    shutil.copytree(study_dir, plain / relative)
    assert compressed_copy(study_dir, packed / relative) > 100
    spec = get_registry().dataset("clinical")
    card = load_card(spec.card)
    for source in (plain, packed):
        report = ingest(spec.discover(source), card, source / "store", progress=False)
        assert len(report.written) == 1
    reference, compressed = StudyStore(plain / "store"), StudyStore(packed / "store")
    (study,) = reference.study_ids
    assert compressed.study_ids == [study]
    for view, slices in reference.views(study).items():
        for k in range(slices):
            assert np.array_equal(compressed.read_cine(study, view, k),
                                  reference.read_cine(study, view, k)), (view, k)
    syntaxes = {pydicom.dcmread(p, stop_before_pixels=True).file_meta.TransferSyntaxUID
                for p in (packed / relative).glob("*/*.dcm")}
    assert syntaxes == {JPEGLSLossless, JPEG2000Lossless, RLELossless}
