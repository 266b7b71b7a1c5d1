"""`clinical-h5` on HDF5 trees built in the test exactly as the reference pipeline's toolkit
writes them, independently of cmrbench's phantom writer.

The convention is read from rohanshad/cmr_toolkit: ``utils/preprocess_mri.py``
(``collate_arrays``: frames sorted by SliceLocation then InstanceNumber, ``slice_frames =
np.where(loc[:-1] != loc[1:])[0]``, ``total_images`` = DICOM files listed; ``array_to_h5``:
``<institution>_<mrn>/<accession>.h5``, key = SeriesDescription with ' ' and '/' as '_', rgb
float32 [f, c, h, w] or grey uint8 [f, h, w] rescaled over the series; the 2023 version,
commit 79a8742, stored rgb as [c, f, h, w]) and ``utils/build_dataset.py`` (now
``archive/build_dataset.py``: copy, under each cleaned name, the dataset of the first CSV row
``series_description,counts,cleaned_series_names`` naming it).

Every pixel says which view, slice and frame it is, so views, the slice split and the frame
order are checked by content.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from cmrbench.cards import load_card
from cmrbench.cli import main
from cmrbench.ingest import ingest
from cmrbench.ingest.series_map import with_series_map
from cmrbench.plugins.datasets import clinical_h5
from cmrbench.plugins.datasets._toolkit_h5 import SeriesProblem, read_series
from cmrbench.registry import get_registry
from cmrbench.store import StudyStore

VIEW_CODE = {"4CH": 0, "3CH": 1, "2CH": 2, "SAX": 3}
HEIGHT, WIDTH = 6, 8  # not square, so a swapped axis shows


def code(view: int, slice_index: int, frame: int) -> int:
    """The value of an image of ``view``, acquisition slice and frame; codes are 2 apart so
    grey mode's rescale-and-truncate (off by at most 1) cannot confuse them."""
    return 60 * view + 12 * slice_index + 2 * frame + 2


def decode_code(value: float) -> tuple[int, int, int]:
    n = int(round((value - 2) / 2)) * 2
    return n // 60, (n % 60) // 12, (n % 12) // 2


@dataclass(frozen=True)
class Dicom:
    """One DICOM file of a series, as collate_arrays reads it."""

    location: float
    instance: int
    pixels: np.ndarray


def image(value: int) -> np.ndarray:
    """A frame of one value, with a 0 and a 255 pixel that fix grey mode's rescale range."""
    pixels = np.full((HEIGHT, WIDTH), value, dtype=np.uint16)
    pixels[0, 0], pixels[0, 1] = 0, 255
    return pixels


def cine_series(view: int, locations: list[float], frames: list[int]) -> list[Dicom]:
    """Slice ``s`` at ``locations[s]`` with ``frames[s]`` frames, numbered slice by slice and
    handed over shuffled, as a directory listing would."""
    files, instance = [], 1
    for s, (location, n) in enumerate(zip(locations, frames, strict=True)):
        for f in range(n):
            files.append(Dicom(location, instance, image(code(view, s, f))))
            instance += 1
    order = np.random.default_rng(len(files)).permutation(len(files))
    return [files[i] for i in order]


def preprocess(dicoms: list[Dicom], mode: str, version: str) -> tuple[np.ndarray, np.ndarray]:
    """collate_arrays + array_to_h5 for one series: (array, slice_frames)."""
    ordered = sorted(dicoms, key=lambda d: (d.location, d.instance))
    locations = np.array([d.location for d in ordered])
    slice_frames = np.where(locations[:-1] != locations[1:])[0]
    array = np.stack([np.repeat(d.pixels[None], 3, axis=0) for d in ordered]).astype(np.float32)
    if mode == "grey":
        low, high = array.min(), array.max()
        array = np.clip((array - low) / (high - low + np.float32(1e-8)) * 255, 0, 255)
        array = array.astype(np.uint8)[:, 1]
    elif version == "2023":
        array = array.transpose(1, 0, 2, 3)
    return array, slice_frames


def write_scan(path: Path, series: dict[str, list[Dicom]], mode: str = "rgb",
               version: str = "current") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "a") as h5:
        for key, dicoms in series.items():
            array, slice_frames = preprocess(dicoms, mode, version)
            dataset = h5.create_dataset(key, data=array, dtype="f" if mode == "rgb" else "uint8",
                                        compression="gzip")
            dataset.attrs.create("slice_frames", slice_frames, dtype="i")
            dataset.attrs.create("total_images", len(dicoms), dtype="i")


SAX_LOCATIONS = [-7.25, 3.0, -20.5]  # acquisition slices 0, 1, 2
SAX_STORED = [2, 0, 1]  # ascending SliceLocation


def clinical_series() -> dict[str, list[Dicom]]:
    """A GE-style scan: the cines, a localiser, a T2 stack, a second SAX and an RV view."""
    still = [Dicom(x, i + 1, image(200)) for i, x in enumerate((-5.0, 0.0, 5.0))]
    return {
        "4CH_FIESTA_BH": cine_series(0, [12.5], [5]),
        "LV3CH_FIESTA_BH": cine_series(1, [4.0], [5]),
        "2CH_FIESTA_BH": cine_series(2, [-1.0], [5]),
        "SAX_FIESTA_BH": cine_series(3, SAX_LOCATIONS, [5, 5, 5]),
        "SAX_FIESTA_BH_Asset": cine_series(3, [1.0, 2.0], [5, 5]),
        "RV3CH_FIESTA_BH": cine_series(1, [8.0], [5]),
        "3-pl_Loc_Fiesta": still,
        "SAX_T2_DIRFSE_BH": still,
    }


def ingest_tree(root: Path, out: Path, card=None) -> tuple[StudyStore, dict]:
    spec = get_registry().dataset("clinical-h5")
    ingest(spec.discover(root), card or load_card(spec.card), out, decode=spec.decode,
           progress=False)
    return StudyStore(out), json.loads((out / "ingest_report.json").read_text())


def stored_cine(store: StudyStore, view: str) -> np.ndarray:
    """[slices, frames, h, w] of the store's only study."""
    (study,) = store.study_ids
    return np.stack([store.read_cine(study, view, s) for s in range(store.views(study)[view])])


def stored_codes(store: StudyStore, view: str) -> list[list[tuple[int, int, int]]]:
    return [[decode_code(v) for v in cine[:, 3, 3]] for cine in stored_cine(store, view)]


def reasons(report: dict) -> dict[str, str]:
    return {item["file"]: item["reason"] for item in report["rejected_files"]}


@pytest.mark.parametrize(("mode", "version"), [("rgb", "current"), ("grey", "current"),
                                               ("rgb", "2023")])
def test_views_slices_and_frames_by_content(tmp_path, mode, version):
    write_scan(tmp_path / "src" / "stanford_10429937" / "RF88231045.h5", clinical_series(),
               mode, version)
    store, report = ingest_tree(tmp_path / "src", tmp_path / "store")
    (study,) = store.study_ids
    assert store.views(study) == {"4CH": 1, "3CH": 1, "2CH": 1, "SAX": 3}
    for view, number in VIEW_CODE.items():
        slices = SAX_STORED if view == "SAX" else [0]
        assert stored_codes(store, view) == [[(number, s, f) for f in range(5)] for s in slices]
        cine = store.read_cine(study, view)
        assert cine.shape == (5, HEIGHT, WIDTH) and cine[0, 0, 1] > cine[0, 0, 0]
    assert reasons(report) == {
        "study.h5/SAX_FIESTA_BH_Asset": "repeated series",
        "study.h5/RV3CH_FIESTA_BH": "unmapped series description",
        "study.h5/3-pl_Loc_Fiesta": "unmapped series description",
        "study.h5/SAX_T2_DIRFSE_BH": "unmapped series description"}


def test_geometry_is_recorded_as_unknown(tmp_path):
    write_scan(tmp_path / "src" / "ucsf_1" / "A1.h5", clinical_series())
    store, _ = ingest_tree(tmp_path / "src", tmp_path / "store")
    geometry = store.geometry(store.study_ids[0], "SAX")
    assert np.isnan(geometry["pixel_spacing"]).all() and np.isnan(geometry["slice_thickness"])
    assert np.isnan(geometry["frame_times_ms"]).all() and len(geometry["frame_times_ms"]) == 5
    assert np.isnan(geometry["slice_positions_mm"]).all()
    assert len(geometry["slice_positions_mm"]) == 3
    assert geometry["series_description"] == "SAX_FIESTA_BH"


def test_slices_end_at_slice_frames_and_stills_are_not_cines(tmp_path):
    """slice_frames [3, 9]: slices are frames 0-3, 4-9 and 10-15; the 4-frame slice is not
    the others' length, so it is dropped and reported. A built 'SAX' of still images ranks
    first but is no cine, so the raw stack is taken."""
    still = [Dicom(x, 1, image(200)) for x in (1.0, 2.0, 3.0)]
    series = {"SAX": still, "SAX_FIESTA_BH": cine_series(3, [-3.0, 0.0, 3.0], [4, 6, 6])}
    write_scan(tmp_path / "src" / "ucsf_1" / "A1.h5", series)
    with h5py.File(tmp_path / "src" / "ucsf_1" / "A1.h5") as h5:
        assert list(h5["SAX_FIESTA_BH"].attrs["slice_frames"]) == [3, 9]
    store, report = ingest_tree(tmp_path / "src", tmp_path / "store")
    assert stored_codes(store, "SAX") == [[(3, s, f) for f in range(6)] for s in (1, 2)]
    assert {item["file"]: (item["reason"], item["detail"]) for item in report["rejected_files"]
            } == {"study.h5/SAX": ("not a cine", "1 frame(s) per slice over 3 slice(s): a "
                                                 "still image"),
                  "study.h5/SAX_FIESTA_BH": ("inconsistent geometry",
                                             "slice 1 of 3 has 4 frames, the others 6")}


SERIES_MAP = ("\ufeffseries_description,counts,cleaned_series_names\n"
              "4CH_FIESTA_BH,9,4CH\n"
              "SAX_FIESTA_BH_Asset,7,SAX\n"
              "SAX_FIESTA_BH,6,SAX\n"
              "LV3CH_FIESTA_BH,5,3CH\n"
              "2CH_FIESTA_BH,5,2CH\n"
              "RV3CH_FIESTA_BH,4,LVOT\n"
              "3-pl_Loc_Fiesta,4,\n")


def build_dataset(raw: Path, built: Path, series_map: Path) -> None:
    """The build step: under each name, the dataset of the first row naming it, attrs too."""
    table = pd.read_csv(series_map, encoding="utf-8-sig", keep_default_na=False)
    built.parent.mkdir(parents=True)
    with h5py.File(raw, "r") as source, h5py.File(built, "a") as dest:
        rows = table[table["series_description"].isin(list(source))]
        for name in ("4CH", "3CH", "2CH", "SAX"):
            first = rows[rows["cleaned_series_names"] == name]["series_description"].iloc[0]
            source.copy(source[first], dest, name=name)


def test_the_series_map_picks_what_the_build_step_picks(tmp_path):
    raw = tmp_path / "raw" / "stanford_2" / "RF2.h5"
    write_scan(raw, clinical_series(), "grey")
    (tmp_path / "map.csv").write_text(SERIES_MAP)
    build_dataset(raw, tmp_path / "built" / "stanford_2" / "RF2.h5", tmp_path / "map.csv")
    card = load_card(get_registry().dataset("clinical-h5").card)
    mapped, report = ingest_tree(tmp_path / "raw", tmp_path / "mapped",
                                 with_series_map(card, tmp_path / "map.csv"))
    built, _ = ingest_tree(tmp_path / "built", tmp_path / "from-built")
    (study,) = mapped.study_ids
    assert mapped.views(study) == built.views(built.study_ids[0]) == {
        "4CH": 1, "3CH": 1, "2CH": 1, "SAX": 2}
    assert stored_codes(mapped, "SAX") == [[(3, s, f) for f in range(5)] for s in (0, 1)]
    for view in VIEW_CODE:
        assert np.array_equal(stored_cine(mapped, view), stored_cine(built, view))
    assert reasons(report) == {
        "study.h5/SAX_FIESTA_BH": "repeated series",
        "study.h5/RV3CH_FIESTA_BH": "view not in this dataset",
        "study.h5/3-pl_Loc_Fiesta": "unmapped series description",
        "study.h5/SAX_T2_DIRFSE_BH": "unmapped series description"}


def test_discover_keys_reports_and_labels_by_accession(tmp_path):
    write_scan(tmp_path / "stanford_10429937" / "RF88231045.h5", clinical_series())
    write_scan(tmp_path / "nofolderprefix" / "77.h5", clinical_series())
    (tmp_path / "reports.csv").write_text('accession,report\nRF88231045,"LVEF 55%. Normal."\n')
    (tmp_path / "labels.csv").write_text("accession,group,amyloid\nRF88231045,HCM,1\n77,NOR,0\n")
    (first, second) = clinical_h5.discover(tmp_path)
    assert (second.key, second.patient, second.meta) == (
        "stanford_10429937/RF88231045", "stanford_10429937", {"institution": "stanford"})
    assert second.report == "LVEF 55%. Normal."
    assert second.labels == {"group": "HCM", "amyloid": 1}
    assert (first.meta, first.report, first.labels) == ({}, None, {"group": "NOR", "amyloid": 0})
    assert [ref.name for ref in second.files] == ["study.h5"]


def test_an_accession_under_two_patients_is_refused_without_naming_it(tmp_path):
    for folder in ("stanford_1", "ucsf_2"):
        write_scan(tmp_path / folder / "RF88231045.h5", {"4CH_FIESTA_BH": cine_series(0, [0], [3])})
    (tmp_path / "reports.csv").write_text("accession,report\nRF88231045,Normal.\n")
    with pytest.raises(ValueError, match="1 accession number") as info:
        list(clinical_h5.discover(tmp_path))
    assert "RF88231045" not in str(info.value)


_FILES = itertools.count()


def in_memory(array: np.ndarray, **attrs) -> h5py.Dataset:
    h5 = h5py.File(f"memory-{next(_FILES)}.h5", "w", driver="core", backing_store=False)
    dataset = h5.create_dataset("s", data=array)
    for name, value in attrs.items():
        dataset.attrs.create(name, value, dtype="i")
    return dataset


RGB = np.repeat(np.arange(8, dtype=np.float32).reshape(8, 1, 1, 1), 3, axis=1) * np.ones(
    (1, 1, 4, 4), np.float32)


@pytest.mark.parametrize(("array", "attrs", "reason"), [
    (RGB, {"total_images": 8}, "missing attribute"),
    (RGB, {"slice_frames": [5, 2], "total_images": 8}, "inconsistent slice_frames"),
    (RGB, {"slice_frames": [7], "total_images": 8}, "inconsistent slice_frames"),
    (RGB, {"slice_frames": [3], "total_images": 7}, "inconsistent total_images"),
    (RGB * np.array([1, 1, 2], np.float32).reshape(1, 3, 1, 1), {"slice_frames": [3],
                                                                 "total_images": 8},
     "unsupported array"),
    (RGB[..., None], {"slice_frames": [3], "total_images": 8}, "unsupported array"),
    (np.where(RGB > 6, np.nan, RGB), {"slice_frames": [3], "total_images": 8},
     "unsupported array"),
])
def test_a_series_off_the_convention_is_named(array, attrs, reason):
    with pytest.raises(SeriesProblem) as info:
        read_series("s", in_memory(array, **attrs))
    assert info.value.reason == reason


def test_each_array_mode_gives_the_same_slices():
    grey = (RGB[:, 0] * 30).astype(np.uint8)
    for array, mode in ((RGB, "rgb"), (RGB.transpose(1, 0, 2, 3), "rgb-channels-first"),
                        (grey, "grey")):
        series = read_series("s", in_memory(array, slice_frames=[3], total_images=9))
        assert series.mode == mode and series.cine.shape == (2, 4, 4, 4)
        assert list(series.cine[:, :, 0, 0].ravel() / series.cine[0, 1, 0, 0]) == list(range(8))


LEAKS = ("10429937", "RF88231045", "66612345", "MS12349876", "99311876", "UC40021877",
         "55512121", "PN70070070", "synced-later")


def test_no_mrn_or_accession_reaches_any_byte_written(tmp_path, capsys):
    src = tmp_path / "src"
    write_scan(src / "stanford_10429937" / "RF88231045.h5", clinical_series(), "rgb")
    write_scan(src / "ucsf_99311876" / "UC40021877.h5", clinical_series(), "grey")
    broken = src / "medstar_66612345" / "MS12349876.h5"
    broken.parent.mkdir()
    broken.write_bytes(b"\x89HDF\r\n\x1a\n" + b"truncated")
    # a link to a file still being synced into the source tree: inside it, so it is not refused
    # as leaving the source, and h5py's error names the link's path
    dangling = src / "upenn_55512121" / "PN70070070.h5"
    dangling.parent.mkdir()
    dangling.symlink_to(src / "upenn_55512121" / "synced-later.h5")
    (src / "reports.csv").write_text("accession,report\nRF88231045,Normal.\nUC40021877,HCM.\n")
    (src / "labels.csv").write_text("accession,group\nRF88231045,NOR\nUC40021877,HCM\n")
    (tmp_path / "map.csv").write_text(SERIES_MAP)
    store = tmp_path / "store"
    assert main(["ingest", "clinical-h5", str(src), "--out", str(store), "--workers", "2",
                 "--series-map", str(tmp_path / "map.csv")]) == 0
    logs = capsys.readouterr()
    report = json.loads((store / "ingest_report.json").read_text())
    assert len(report["written"]) == 2 and len(report["rejected_studies"]) == 2
    assert {item["reason"] for item in report["rejected_files"]} >= {
        "corrupt: not a readable HDF5 file", "view not in this dataset", "repeated series"}
    written = [p for p in store.rglob("*") if p.is_file()]
    haystacks = [p.read_bytes() for p in written] + [logs.out.encode(), logs.err.encode()]
    assert {leak for leak in LEAKS for data in haystacks if leak.encode() in data} == set()
    assert set(StudyStore(store).index["label:group"]) == {"NOR", "HCM"}


PUBLISHED = {  # rows of cmr_toolkit's archive/series_descriptions_master.csv
    "4CH_FIESTA_BH": "4CH", "SAX_FIESTA_BH": "SAX", "2CH_FIESTA_BH": "2CH",
    "3CH_FIESTA_BH": "3CH", "LV2CH_FIESTA_BH": "2CH", "LV3CH_FIESTA_BH": "3CH",
    "VLAX_(LV3CH)_FIESTA_BH": "3CH", "SAX_FIESTA_BH_Asset": "SAX", "*SAX_FIESTA_BH": "SAX",
    "4_Chamber": "4CH", "bFFE_BH_SA": "SAX", "bFFE_BH_vla": "2CH", "HLA_CINE": "4CH",
    "LVOT_CINE": "3CH", "short_axis_stack_cine_trufi_retro": "SAX",
    "tfisp_cine_3_chamber": "3CH", "CINE_segmented_LAX_2Ch": "2CH",
    "Short_Ax_Mid": None,  # two rows: 438 series left out, 91 kept; the majority decides
    "3-pl_Loc_Fiesta": None, "LOC_SAX_FIESTA_BH": None, "RV3CH_FIESTA_BH": None,
    "RV_3CH_FIESTA_BH": None, "RV_2CH_FIESTA_BH": None,
    "SAX_T2_DIRFSE_BH": None, "SAX_IrP-FGRE_TI=240": None, "CINE_IR": None,
    "4CH_CineIR": None, "RVOT_FIESTA_BH": None, "2CH_LOC_FIESTA_CINE": None,
    "SAX_MID_TI_SCOUT_CINE_IR": None,
}


def test_the_card_view_map_agrees_with_the_toolkits_published_map():
    card = load_card(get_registry().dataset("clinical-h5").card)
    assert {name: card.view_for(name) for name in PUBLISHED} == PUBLISHED
    # mapped to SAX in the CSV, but preprocess_mri.py never writes InlineVF overlays
    assert card.view_for("Trufi_Cine_SAX_InlineVF") is None


def test_a_damaged_series_is_reported_and_the_rest_of_the_scan_kept(tmp_path):
    path = tmp_path / "src" / "ucsf_1" / "A1.h5"
    write_scan(path, {"4CH_FIESTA_BH": cine_series(0, [0.0], [5]),
                      "SAX_FIESTA_BH": cine_series(3, SAX_LOCATIONS, [5, 5, 5])})
    with h5py.File(path, "r") as h5:
        chunk = h5["SAX_FIESTA_BH"].id.get_chunk_info(0)
    data = bytearray(path.read_bytes())
    data[chunk.byte_offset:chunk.byte_offset + chunk.size] = bytes(chunk.size)
    path.write_bytes(bytes(data))
    store, report = ingest_tree(tmp_path / "src", tmp_path / "store")
    assert store.views(store.study_ids[0]) == {"4CH": 1}
    assert reasons(report) == {"study.h5/SAX_FIESTA_BH": "corrupt series data"}


def test_a_broken_files_rejection_names_neither_mrn_nor_accession(tmp_path):
    """h5py's own error text quotes the path (``<institution>_<MRN>/<accession>.h5``); the
    rejection the plugin returns must not, before any later cleaner sees it."""
    folder = tmp_path / "stanford_77123456"
    folder.mkdir()
    broken = folder / "SH55501234.h5"  # a link to a file not yet synced: h5py names the path
    broken.symlink_to(folder / "synced-later.h5")
    with pytest.raises(OSError) as raised:
        h5py.File(broken, "r")
    assert "SH55501234" in str(raised.value)  # the premise: h5py names the file
    message = clinical_h5.scrubbed(raised.value, broken)
    assert "77123456" not in message and "SH55501234" not in message
    assert "<scan>" in message
