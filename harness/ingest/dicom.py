"""Decode a study's DICOM files into views: read, validate, map series, order slices and frames.

Every failure is local: a corrupt, truncated or undecodable file becomes a :class:`Rejection`
with its reason and the rest of the study carries on. Only geometry and timing tags are kept;
identifying tags are never read out of the dataset.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from cmrbench.ingest.source import Decoded, FileRef, Rejection
from cmrbench.store.record import ViewVolume, as_storage_dtype
from pydicom.errors import InvalidDicomError

POSITION_DECIMALS = 1  # slices closer than 0.1 mm are the same position


@dataclass(frozen=True)
class Frame:
    """One decoded image with the tags needed to place it in space and time."""

    file: str
    series_uid: str
    series_number: int
    description: str
    position_mm: float
    trigger_ms: float
    instance: int
    pixels: np.ndarray
    spacing: tuple[float, float]
    thickness: float


def read_frames(files: Iterable[FileRef]) -> tuple[list[Frame], list[Rejection]]:
    """Decode every file; each one that cannot be used becomes a rejection with its reason."""
    frames, rejected = [], []
    archives: dict[Path, zipfile.ZipFile] = {}  # each zip is opened once, not once per member
    try:
        for ref in files:
            result = _read_one(ref, archives)
            (frames if isinstance(result, Frame) else rejected).append(result)
    finally:
        for archive in archives.values():
            archive.close()
    return frames, rejected


def _read_one(ref: FileRef, archives: dict[Path, zipfile.ZipFile]) -> Frame | Rejection:
    name = ref.name
    try:
        ds = pydicom.dcmread(io.BytesIO(ref.read_bytes(archives)))
    except InvalidDicomError as exc:
        return Rejection(name, "corrupt: not a DICOM file", str(exc))
    except EOFError as exc:
        return Rejection(name, "truncated", str(exc))
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types for broken files
        return Rejection(name, "corrupt", f"{type(exc).__name__}: {exc}")
    if "PixelData" not in ds:
        return Rejection(name, "no pixel data")
    try:
        pixels = ds.pixel_array
    except (NotImplementedError, RuntimeError) as exc:
        syntax = getattr(ds.file_meta, "TransferSyntaxUID", None)
        label = syntax.name if syntax is not None else "unknown"
        return Rejection(name, f"unsupported transfer syntax: {label}", str(exc).split("\n")[0])
    except Exception as exc:  # noqa: BLE001 - short or malformed pixel data
        return Rejection(name, "truncated pixel data", f"{type(exc).__name__}: {exc}")
    if pixels.ndim != 2:
        return Rejection(name, "unsupported image", f"expected one greyscale frame per file, "
                                                    f"got pixel array shape {pixels.shape}")
    spacing = tuple(float(v) for v in ds.get("PixelSpacing", [1.0, 1.0]))
    return Frame(
        file=name,
        series_uid=str(ds.get("SeriesInstanceUID", "")),
        series_number=int(ds.get("SeriesNumber", 0) or 0),
        description=str(ds.get("SeriesDescription", "")),
        position_mm=_position_along_normal(ds),
        trigger_ms=_float_or_nan(ds.get("TriggerTime")),
        instance=int(ds.get("InstanceNumber", 0) or 0),
        pixels=pixels,
        spacing=(spacing[0], spacing[1]),
        thickness=float(ds.get("SliceThickness", 0.0) or 0.0),
    )


def _float_or_nan(value: object) -> float:
    return np.nan if value is None or value == "" else float(value)


def _position_along_normal(ds: pydicom.Dataset) -> float:
    """Slice position projected on the slice normal; SliceLocation when geometry is absent."""
    if "ImagePositionPatient" in ds and "ImageOrientationPatient" in ds:
        orientation = np.asarray(ds.ImageOrientationPatient, dtype=float)
        normal = np.cross(orientation[:3], orientation[3:])
        return round(float(np.dot(normal, np.asarray(ds.ImagePositionPatient, float))),
                     POSITION_DECIMALS)
    return round(float(ds.get("SliceLocation", 0.0) or 0.0), POSITION_DECIMALS)


def assemble_views(frames: list[Frame], view_of: Callable[[str], str | None],
                   wanted: Collection[str]) -> Decoded:
    """Group frames into views, keep the last of repeated series, and stack slices.

    ``view_of`` maps a series description to a view name (or None: unmapped series are
    rejected with the description, so the card's view map can be extended).
    """
    rejected: list[Rejection] = []
    by_series: dict[tuple[int, str], list[Frame]] = defaultdict(list)
    for frame in frames:
        by_series[(frame.series_number, frame.series_uid)].append(frame)
    slices: dict[str, dict[float, list[Frame]]] = defaultdict(dict)
    for key in sorted(by_series):  # ascending series number: a later series replaces
        members = by_series[key]
        view = view_of(members[0].description)
        if view is None:
            rejected += [Rejection(f.file, "unmapped series description",
                                   f"{f.description!r}: add a view_map rule to the card")
                         for f in members]
            continue
        if view not in wanted:
            rejected += [Rejection(f.file, "view not in this dataset",
                                   f"{f.description!r} maps to {view}; the card lists "
                                   f"{sorted(wanted)}") for f in members]
            continue
        groups: dict[float, list[Frame]] = defaultdict(list)
        for frame in members:
            groups[frame.position_mm if view == "SAX" else 0.0].append(frame)
        for position, group in groups.items():
            previous = slices[view].get(position)
            if previous is not None:
                rejected += [Rejection(f.file, "repeated series",
                                       f"superseded by series {key[0]} at the same position")
                             for f in previous]
            slices[view][position] = group
    views = {}
    for view, positions in slices.items():
        volume, problems = _stack(view, positions)
        rejected += problems
        if volume is not None:
            views[view] = volume
    return Decoded(views, rejected)


def _ordered_cine(frames: list[Frame]) -> tuple[list[Frame], list[Rejection]]:
    """Frames in time order; a repeated time point keeps its last acquisition."""
    by_time: dict[tuple[float, int], Frame] = {}
    rejected = []
    for frame in sorted(frames, key=lambda f: (f.instance, f.file)):
        timed = not np.isnan(frame.trigger_ms)
        time_key = (frame.trigger_ms, 0) if timed else (0.0, frame.instance)
        if time_key in by_time:
            rejected.append(Rejection(by_time[time_key].file, "repeated frame",
                                      f"superseded by {frame.file}"))
        by_time[time_key] = frame
    return [by_time[k] for k in sorted(by_time)], rejected


def _stack(view: str, positions: dict[float, list[Frame]]
           ) -> tuple[ViewVolume | None, list[Rejection]]:
    rejected: list[Rejection] = []
    cines: list[tuple[float, list[Frame]]] = []
    for position in sorted(positions):
        ordered, repeats = _ordered_cine(positions[position])
        rejected += repeats
        cines.append((position, ordered))
    shapes = [(len(c), *c[0].pixels.shape) for _, c in cines]
    common = max(shapes, key=lambda shape: (shapes.count(shape), shape))  # ties: deterministic
    kept = []
    for (position, cine), shape in zip(cines, shapes, strict=True):
        if shape != common or any(f.pixels.shape != common[1:] for f in cine):
            rejected += [Rejection(f.file, "inconsistent geometry",
                                   f"{view} slice at {position} mm has frames x size {shape}, "
                                   f"the rest of the view {common}") for f in cine]
        else:
            kept.append((position, cine))
    if not kept:
        return None, rejected
    first = kept[0][1][0]
    cine = np.stack([np.stack([f.pixels for f in frames]) for _, frames in kept])
    times = np.array([f.trigger_ms for f in kept[0][1]], dtype=float)
    volume = ViewVolume(cine=as_storage_dtype(cine), pixel_spacing=first.spacing,
                        slice_thickness=first.thickness, frame_times_ms=times,
                        slice_positions_mm=np.array([p for p, _ in kept], dtype=float),
                        series_description=first.description)
    return volume, rejected

