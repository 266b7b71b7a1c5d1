"""Content checks on hand-built DICOM series: each confuser a clinical export holds beside its
cines, named like a cine, is refused by what its header says, with its reason.

Every series is a pydicom Dataset written to a Part 10 file and read back through
``read_frames``, then labelled by the rules the clinical card used before issue 21 (so that
names let every confuser through). The attributes are the standard ones a scanner writes
(DICOM PS3.3): ImageType (0008,0008), whose value 3 LOCALIZER means "collected for the purpose
of planning other images" (C.8.16.1.3, Table C.8-129); ScanningSequence (0018,0020), SE spin
echo, IR inversion recovery, GR gradient recalled (Table C.8-4); SequenceVariant (0018,0021),
MP MAG prepared; InversionTime (0018,0082); PhaseContrast (0018,9014); TriggerTime (0018,1060),
NominalInterval (0018,1062) and CardiacNumberOfImages (0018,1090) of the cardiac synchronization
attributes; ImagePositionPatient (0020,0032) and ImageOrientationPatient (0020,0037). Pixels
hold 100 x series number + phase, so every stored view says which series made it.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pydicom
import pytest
from cmrbench.ingest import FileRef, assemble_views, read_frames, reasons
from cmrbench.ingest.content import MIN_PHASES
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

RR_MS = 1000.0
SAX_IOP = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)  # normal +z: the stack
LAX_IOP = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)  # normal +y: contains the z axis
CINE = {"ImageType": ["ORIGINAL", "PRIMARY", "M", "ND"], "ScanningSequence": "GR",
        "SequenceVariant": ["SK", "SS"]}
BEFORE = [(re.compile(p, re.IGNORECASE), v) for p, v in (
    (r"sax|short.?axis|_sa$", "SAX"), (r"4.?ch|four.?chamber", "4CH"), (r"2.?ch|vla", "2CH"))]


def views_of(description: str) -> str | None:
    """The pre-census clinical rules: names alone, which let every confuser below through."""
    return next((view for pattern, view in BEFORE if pattern.search(description)), None)


def write_series(folder: Path, number: int, description: str, *, phases: int = 10,
                 positions: tuple[float, ...] = (0.0,), orientation=SAX_IOP,
                 cardiac_images: int | None = None, span: float = 1.0,
                 **attributes: object) -> list[FileRef]:
    """One series: ``phases`` frames per position, trigger times spread over ``span`` of the
    R-R interval; ``attributes`` (pydicom keywords) override the bSSFP cine's header."""
    folder = folder / f"series_{number:03d}"
    folder.mkdir(parents=True)
    uid, normal = generate_uid(), np.cross(orientation[:3], orientation[3:])
    refs = []
    for k, position in enumerate(positions):
        for phase in range(phases):
            ds = _dataset(number, description, uid, instance=k * phases + phase + 1)
            ds.TriggerTime = f"{phase * span * RR_MS / phases:.1f}"
            ds.CardiacNumberOfImages = cardiac_images or phases
            ds.ImagePositionPatient = [f"{v:.2f}" for v in position * normal]
            ds.ImageOrientationPatient = [f"{v:.6f}" for v in orientation]
            ds.PixelData = np.full((8, 8), 100 * number + phase, "<u2").tobytes()
            for keyword, value in {**CINE, **attributes}.items():
                setattr(ds, keyword, value)
            path = folder / f"IM{ds.InstanceNumber:04d}.dcm"
            ds.save_as(path, enforce_file_format=True)
            refs.append(FileRef(path, display=f"{folder.name}/{path.name}"))
    return refs


def _dataset(number: int, description: str, uid: str, instance: int) -> pydicom.Dataset:
    ds = pydicom.Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = MRImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.Modality, ds.SeriesDescription, ds.SeriesInstanceUID = "MR", description, uid
    ds.SeriesNumber, ds.InstanceNumber = number, instance
    ds.NominalInterval = f"{RR_MS:g}"
    ds.PixelSpacing, ds.SliceThickness = ["1.5", "1.5"], "8"
    ds.Rows = ds.Columns = 8
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    return ds


def decode(refs: list[FileRef], checks: bool = True):
    frames, unreadable = read_frames(refs)
    assert unreadable == []
    return assemble_views(frames, views_of, ["SAX", "4CH", "2CH"], checks=checks)


def cines(folder: Path) -> list[FileRef]:
    """A three-slice SAX stack (series 5) and a 4CH cine (series 3): what must be stored."""
    return (write_series(folder, 3, "4CH_FIESTA_BH", orientation=LAX_IOP)
            + write_series(folder, 5, "SAX_FIESTA_BH", positions=(0.0, 10.0, 20.0)))


def series_of(view) -> set[int]:
    return set((view.cine[..., 0, 0] // 100).ravel().tolist())


# description, attributes, plane, expected reason: each is what its name says it is not
CONFUSERS = {
    "late enhancement": ("4CH_DHE", dict(phases=1, ScanningSequence=["GR", "IR"],
                                         SequenceVariant=["SK", "SP", "MP"],
                                         InversionTime="300"), LAX_IOP,
                         reasons.INVERSION_RECOVERY),
    "TI scout": ("4CH_CINE_IR", dict(ScanningSequence=["GR", "IR"], InversionTime="100"),
                 LAX_IOP, reasons.INVERSION_RECOVERY),
    "black blood": ("SAX_T2_DIRFSE_BH", dict(phases=1, ScanningSequence=["SE", "IR"],
                                             SequenceVariant=["SK", "MP"],
                                             InversionTime="650"), SAX_IOP,
                    reasons.SPIN_ECHO),
    "GE localizer": ("LOC_SAX_FIESTA_BH", dict(phases=1, ImageType=[
        "ORIGINAL", "PRIMARY", "LOCALIZER"]), SAX_IOP, reasons.LOCALIZER),
    "single-phase localizer": ("SAX_localizer", dict(phases=1), SAX_IOP, reasons.NOT_CINE),
    "T1 map": ("SAX_T1_MAP", dict(phases=1, ImageType=["DERIVED", "PRIMARY", "T1 MAP"]),
               SAX_IOP, reasons.PARAMETRIC_MAP),
    "phase-contrast flow": ("4CH_FLOW_V150", dict(PhaseContrast="YES"), LAX_IOP,
                            reasons.FLOW),
    "Siemens phase image": ("4CH_PC_P", dict(ImageType=["ORIGINAL", "PRIMARY", "P", "ND"]),
                            LAX_IOP, reasons.FLOW),
}


@pytest.mark.parametrize("kind", list(CONFUSERS))
def test_each_confuser_is_refused_by_its_header_and_the_cines_are_stored(tmp_path, kind):
    description, attributes, orientation, reason = CONFUSERS[kind]
    positions = (10.0,) if orientation == SAX_IOP else (0.0,)  # on a stack slice
    confuser = write_series(tmp_path, 9, description, positions=positions,
                            orientation=orientation, **attributes)
    decoded = decode(cines(tmp_path) + confuser)
    assert {r.file: r.reason for r in decoded.rejected} == {
        ref.name: reason for ref in confuser}
    assert f"series 9 ({description!r})" in decoded.rejected[0].detail
    assert series_of(decoded.views["4CH"]) == {3} and series_of(decoded.views["SAX"]) == {5}


def test_names_alone_would_have_kept_the_ti_scout(tmp_path):
    """Why the checks exist: by name and recency the TI scout replaces the 4CH cine."""
    _, attributes, orientation, _ = CONFUSERS["TI scout"]
    refs = cines(tmp_path) + write_series(tmp_path, 9, "4CH_CINE_IR", orientation=orientation,
                                          **attributes)
    assert series_of(decode(refs, checks=False).views["4CH"]) == {9}
    assert series_of(decode(refs).views["4CH"]) == {3}


@pytest.mark.parametrize(("phases", "span", "cardiac_images", "refused"), [
    (MIN_PHASES, 1.0, None, False),
    (MIN_PHASES - 1, 1.0, None, True),  # too few phases to resolve systole
    (12, 0.3, None, True),  # a third of the cycle: a dynamic or truncated series
    (12, 3.0, None, True),  # several cycles: real-time, not one gated cycle
    (12, 1.0, 1, True),  # the header announces a single phase
])
def test_a_cine_has_enough_phases_across_one_cycle(tmp_path, phases, span, cardiac_images,
                                                   refused):
    refs = write_series(tmp_path, 3, "4CH_FIESTA_BH", orientation=LAX_IOP, phases=phases,
                        span=span, cardiac_images=cardiac_images)
    decoded = decode(refs)
    assert ("4CH" not in decoded.views) == refused
    assert {r.reason for r in decoded.rejected} == ({reasons.NOT_CINE} if refused else set())


@pytest.mark.parametrize(("tilt_deg", "refused"), [(20.0, True), (60.0, False), (90.0, False)])
def test_a_long_axis_plane_parallel_to_the_stack_is_refused(tmp_path, tilt_deg, refused):
    """A "2CH" whose normal lies 20 degrees from the SAX stack's is a short-axis slice."""
    tilt = np.deg2rad(tilt_deg)
    orientation = (1.0, 0.0, 0.0, 0.0, float(np.cos(tilt)), -float(np.sin(tilt)))
    refs = cines(tmp_path) + write_series(tmp_path, 7, "2CH_FIESTA_BH", orientation=orientation)
    decoded = decode(refs)
    assert ("2CH" not in decoded.views) == refused
    assert [r.reason for r in decoded.rejected] == [reasons.PARALLEL_TO_STACK] * 10 * refused


def test_without_a_stack_a_long_axis_plane_is_not_judged(tmp_path):
    refs = write_series(tmp_path, 7, "2CH_FIESTA_BH", orientation=SAX_IOP)
    assert series_of(decode(refs).views["2CH"]) == {7}


def test_the_most_complete_cycle_wins_over_a_later_incomplete_repeat(tmp_path):
    """A 4CH repeat that lost 4 of its 10 announced phases loses to the complete first one."""
    refs = (write_series(tmp_path, 3, "4CH_FIESTA_BH", orientation=LAX_IOP)
            + write_series(tmp_path, 8, "4CH_FIESTA_BH", orientation=LAX_IOP, phases=10,
                           cardiac_images=16, span=10 / 16))
    decoded = decode(refs)
    assert series_of(decoded.views["4CH"]) == {3}
    assert {r.reason for r in decoded.rejected} == {reasons.NOT_CHOSEN}
    assert "series 3 kept: a more complete cardiac cycle (1.0 against 0.6)" in \
        decoded.rejected[0].detail
    assert decoded.kept["4CH"] == {
        "series": [{"number": 3, "description": "4CH_FIESTA_BH"}],
        "reason": "the most complete cardiac cycle (1.0 against at most 0.6) of 2 candidates"}


def test_among_equally_complete_cines_the_most_recent_wins(tmp_path):
    refs = (write_series(tmp_path, 8, "4CH_CINE_SENSE", orientation=LAX_IOP)
            + write_series(tmp_path, 3, "4CH_FIESTA_BH", orientation=LAX_IOP, phases=12))
    decoded = decode(refs)
    assert series_of(decoded.views["4CH"]) == {8}
    assert decoded.kept["4CH"]["reason"] == (
        "the most recent of 2 candidates with equally complete cycles (1.0)")
    assert "a later acquisition with an equally complete cycle" in decoded.rejected[0].detail


def test_the_choice_does_not_depend_on_file_order(tmp_path):
    refs = (write_series(tmp_path, 3, "4CH_FIESTA_BH", orientation=LAX_IOP)
            + write_series(tmp_path, 8, "4CH_FIESTA_BH", orientation=LAX_IOP)
            + write_series(tmp_path, 5, "SAX_FIESTA_BH", positions=(0.0, 10.0))
            + write_series(tmp_path, 9, "SAX_FIESTA_BH", positions=(10.0,)))
    outcomes = []
    for seed in range(8):
        shuffled = refs[:]
        random.Random(seed).shuffle(shuffled)
        decoded = decode(shuffled)
        outcomes.append(({v: series_of(view) for v, view in decoded.views.items()},
                         decoded.kept, sorted((r.file, r.reason) for r in decoded.rejected)))
    assert all(outcome == outcomes[0] for outcome in outcomes)
    assert outcomes[0][0] == {"4CH": {8}, "SAX": {5, 9}}
    assert outcomes[0][1]["SAX"]["series"] == [{"number": 5, "description": "SAX_FIESTA_BH"},
                                               {"number": 9, "description": "SAX_FIESTA_BH"}]
