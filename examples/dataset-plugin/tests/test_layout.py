"""The layout is read as its conventions say, checked on files whose every voxel is known.

NIfTI-1 (nifti1.h): the data's axes are (x, y, z, t), voxel (i, j, k) lies at
affine @ (i, j, k, 1) in mm (RAS), pixdim holds the spacing and the frame interval, and
xyzt_units codes their units. DICOM PS3.3 C.7.6.2.1.1: a slice's normal is the row direction
crossed with the column direction; 10.7.1.3: PixelSpacing is (row spacing, column spacing).
"""

import csv
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from cmrbench.cards import load_card
from cmrbench.cli import main
from cmrbench.ingest import Decoded, FileRef, SourceStudy, pseudonyms, reasons
from cmrbench.store import StudyStore
from cmrbench_example_dataset.layout import decode, discover
from cmrbench_example_dataset.plugin import CARD
from make_cohort import write_cine, write_cohort

# DICOM's row direction (along a row, as x counts) and column direction (down a column, as y)
ROW, COLUMN = np.array([0.0, 0.6, 0.8]), np.array([1.0, 0.0, 0.0])
NORMAL = np.cross(ROW, COLUMN)
ORIGIN = np.array([10.0, -40.0, 25.0])


def numbered_cine() -> np.ndarray:
    """(X, Y, Z, T) = (5, 4, 3, 2), value = x + 10 y + 100 z + 1000 t: every voxel says
    where it came from."""
    x, y, z, t = np.indices((5, 4, 3, 2))
    return (x + 10 * y + 100 * z + 1000 * t).astype(np.uint16)


def decode_one(path: Path) -> Decoded:
    study = SourceStudy(key="S1", patient="P1", files=(FileRef(path, display=path.name),))
    return decode(study, load_card(CARD))


@pytest.mark.parametrize("units, interval, frame_ms", [(("mm", "sec"), 0.04, 40.0),
                                                      (("mm", "msec"), 32.5, 32.5)])
def test_a_cine_is_stored_slice_frame_row_column_in_ascending_position(tmp_path, units,
                                                                      interval, frame_ms):
    # x steps 2.0 mm along ROW, y 1.5 mm along COLUMN, z 8 mm against the normal: the file's
    # slices run in descending position, so the store must reverse them
    affine = np.eye(4)
    affine[:3, :3] = np.column_stack([2.0 * ROW, 1.5 * COLUMN, -8.0 * NORMAL])
    affine[:3, 3] = ORIGIN
    write_cine(tmp_path / "cine_sax.nii.gz", numbered_cine(), affine, units, interval)

    view = decode_one(tmp_path / "cine_sax.nii.gz").views["SAX"]

    assert view.cine.shape == (3, 2, 4, 5)  # (slices, frames, rows = y, columns = x)
    for s, z in enumerate([2, 1, 0]):
        for t in range(2):
            y, x = np.indices((4, 5))
            np.testing.assert_array_equal(view.cine[s, t], x + 10 * y + 100 * z + 1000 * t)
    np.testing.assert_allclose(view.slice_positions_mm, ORIGIN @ NORMAL - 8.0 * np.array([2, 1, 0]))
    assert view.pixel_spacing == pytest.approx((1.5, 2.0))
    assert view.slice_thickness == pytest.approx(8.0)
    np.testing.assert_allclose(view.frame_times_ms, [0.0, frame_ms])


@pytest.mark.parametrize("dims, units, interval, reason", [
    (3, ("mm", "sec"), None, reasons.INCONSISTENT_GEOMETRY),
    (4, ("micron", "sec"), 0.04, reasons.UNSUPPORTED_IMAGE),
    (4, ("mm", "hz"), 0.04, reasons.UNSUPPORTED_IMAGE),
    (4, ("mm", "sec"), 0.0, reasons.UNSUPPORTED_IMAGE),
])
def test_a_cine_the_layout_cannot_read_is_refused_with_its_reason(tmp_path, dims, units,
                                                                  interval, reason):
    cine = numbered_cine()
    image = nib.Nifti1Image(cine if dims == 4 else cine[..., 0], np.eye(4))
    image.header.set_xyzt_units(*units)
    if interval is not None:
        image.header.set_zooms((1.0, 1.0, 1.0, interval))
    nib.save(image, tmp_path / "cine_sax.nii.gz")

    decoded = decode_one(tmp_path / "cine_sax.nii.gz")

    assert decoded.views == {}
    assert [(r.file, r.reason) for r in decoded.rejected] == [("cine_sax.nii.gz", reason)]


def test_discovery_reads_patients_and_labels_from_the_table(tmp_path):
    rows = write_cohort(tmp_path, studies=4)
    with open(tmp_path / "labels.csv", "w", newline="") as table:  # S0003 loses its row
        writer = csv.DictWriter(table, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:3])

    studies = {study.key: study for study in discover(tmp_path)}

    assert sorted(studies) == ["S0000", "S0001", "S0002", "S0003"]
    for row in rows[:3]:
        study = studies[row["study_id"]]
        assert study.patient == row["patient_id"]
        assert study.labels == {k: row[k] for k in ("lvef", "edv_ml", "esv_ml")}
        assert [f.name for f in study.files] == ["cine_sax.nii.gz"]
    assert (studies["S0003"].patient, studies["S0003"].labels) == ("S0003", {})


def test_a_missing_label_table_or_key_column_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="labels.csv is missing"):
        list(discover(tmp_path))
    (tmp_path / "labels.csv").write_text("study,lvef\nS0000,55\n")
    with pytest.raises(ValueError, match=r"no column \['study_id', 'patient_id'\]"):
        list(discover(tmp_path))


def test_ingest_stores_every_study_with_its_labels_and_a_beating_ventricle(tmp_path):
    """End to end through `cmrbench ingest`: the blood pool's area at end-systole over
    end-diastole is (ES radius / ED radius)^2 = 1 - LVEF/100 by the cohort's construction."""
    rows = write_cohort(tmp_path / "cohort", studies=4)
    assert main(["ingest", "example-cine", str(tmp_path / "cohort"), "--out",
                 str(tmp_path / "store"), "--workers", "1", "--no-progress"]) == 0

    store, card = StudyStore(tmp_path / "store"), load_card(CARD)
    patients = dict(zip(store.index["study_id"], store.index["patient_id"], strict=True))
    for row in rows:
        study_id, _ = pseudonyms(card, SourceStudy(row["study_id"], row["patient_id"], ()))
        assert store.labels(study_id) == {k: row[k] for k in ("lvef", "edv_ml", "esv_ml")}
        base = store.read_cine(study_id, "SAX", 0)
        ed, es = ((base[t] > 230).sum() for t in (0, base.shape[0] // 2))
        assert es / ed == pytest.approx(1 - row["lvef"] / 100, abs=0.06)
    first, repeat = (pseudonyms(card, SourceStudy(r["study_id"], r["patient_id"], ()))[0]
                     for r in (rows[0], rows[-1]))
    assert rows[0]["patient_id"] == rows[-1]["patient_id"]
    assert patients[first] == patients[repeat]  # so both visits fall in one split
