"""Decode DICOM files into frames: read within limits, validate, decode, keep only geometry.

Every failure is local: a corrupt, truncated, oversized or undecodable file becomes a
:class:`Rejection` with its reason and the rest of the study carries on. Only geometry,
timing and acquisition tags are kept (the latter for :mod:`cmrbench.ingest.content`);
identifying tags are read only into ``Frame.identifiers``, with which ingest cleans the
study's free text, and are never written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from cmrbench.deid.identifiers import StudyIdentifiers, from_dicom
from cmrbench.ingest import reasons
from cmrbench.ingest.content import Acquisition, read_acquisition
from cmrbench.ingest.limits import LIMITS, ReadLimits, StudyTooLarge, read_dicom_file
from cmrbench.ingest.source import FileRef, Rejection
from pydicom.errors import InvalidDicomError
from pydicom.pixels.decoders.base import get_decoder

POSITION_DECIMALS = 1  # slices closer than 0.1 mm are the same position


@dataclass(frozen=True)
class Frame:
    """One decoded image with the tags needed to place it in space and time.

    ``origin`` is ImagePositionPatient and ``orientation`` ImageOrientationPatient (LPS, mm),
    None when the file lacks them; ``position_mm`` is the origin projected on the frame's own
    slice normal (SliceLocation without geometry). ``acquisition`` is what the header says
    about the sequence, for the content checks (None: not read from a header).
    """

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
    origin: tuple[float, float, float] | None = None
    orientation: tuple[float, float, float, float, float, float] | None = None
    identifiers: StudyIdentifiers = StudyIdentifiers()
    acquisition: Acquisition | None = None

    @property
    def normal(self) -> np.ndarray | None:
        """Unit slice normal (None without orientation); see :func:`slice_normal`."""
        return None if self.orientation is None else slice_normal(self.orientation)


def slice_normal(orientation: tuple[float, ...]) -> np.ndarray:
    """Unit normal of ImageOrientationPatient: row direction x column direction (PS3.3
    C.7.6.2.1.1), the axis along which slice positions are measured."""
    o = np.asarray(orientation, dtype=float)
    normal = np.cross(o[:3], o[3:])
    return normal / np.linalg.norm(normal)


def read_frames(files: Iterable[FileRef], limits: ReadLimits = LIMITS
                ) -> tuple[list[Frame], list[Rejection]]:
    """Decode every file; each one that cannot be used becomes a rejection with its reason.

    Raises :class:`StudyTooLarge` once the decoded pixels exceed ``limits.study_bytes``.
    """
    frames, rejected = [], []
    archives: dict[Path, zipfile.ZipFile] = {}  # each zip is opened once, not once per member
    decoded_bytes = 0
    try:
        for ref in files:
            result = _read_one(ref, archives, limits)
            if isinstance(result, Rejection):
                rejected.append(result)
                continue
            frames.append(result)
            decoded_bytes += result.pixels.nbytes
            if decoded_bytes > limits.study_bytes:
                raise StudyTooLarge(f"its decoded pixels exceed {limits.study_bytes} bytes; "
                                    "raise cmrbench.ingest.limits.LIMITS if it is genuine")
    finally:
        for archive in archives.values():
            archive.close()
    return frames, rejected


def _read_one(ref: FileRef, archives: dict[Path, zipfile.ZipFile],
              limits: ReadLimits) -> Frame | Rejection:
    name = ref.name
    data = read_dicom_file(ref, archives, limits)
    if isinstance(data, Rejection):
        return data
    try:
        ds = pydicom.dcmread(io.BytesIO(data))
    except InvalidDicomError as exc:
        return Rejection(name, reasons.NOT_DICOM, str(exc))
    except EOFError as exc:
        return Rejection(name, reasons.TRUNCATED, str(exc))
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types for broken files
        return Rejection(name, reasons.CORRUPT, f"{type(exc).__name__}: {exc}")
    if "PixelData" not in ds:
        return Rejection(name, reasons.NO_PIXEL_DATA)
    pixels = _pixels(name, ds, limits)
    if isinstance(pixels, Rejection):
        return pixels
    if pixels.ndim != 2:
        return Rejection(name, reasons.UNSUPPORTED_IMAGE, f"expected one greyscale frame per "
                                                          f"file, got pixel array shape "
                                                          f"{pixels.shape}")
    spacing = tuple(float(v) for v in ds.get("PixelSpacing", [1.0, 1.0]))
    origin, orientation = _geometry(ds)
    return Frame(
        file=name,
        series_uid=str(ds.get("SeriesInstanceUID", "")),
        series_number=int(ds.get("SeriesNumber", 0) or 0),
        description=str(ds.get("SeriesDescription", "")),
        position_mm=_position_along_normal(ds, origin, orientation),
        trigger_ms=_float_or_nan(ds.get("TriggerTime")),
        instance=int(ds.get("InstanceNumber", 0) or 0),
        pixels=pixels,
        spacing=(spacing[0], spacing[1]),
        thickness=float(ds.get("SliceThickness", 0.0) or 0.0),
        origin=origin,
        orientation=orientation,
        identifiers=from_dicom(ds),
        acquisition=read_acquisition(ds),
    )


def _pixels(name: str, ds: pydicom.Dataset, limits: ReadLimits) -> np.ndarray | Rejection:
    """The decoded pixel array, or why it was not decoded (checked against the header first)."""
    declared = _declared_image_bytes(ds)
    if declared > limits.image_bytes:
        return Rejection(name, reasons.OVERSIZED_IMAGE,
                         f"the header declares {declared} bytes of pixels, the limit is "
                         f"{limits.image_bytes}")
    syntax = getattr(ds.file_meta, "TransferSyntaxUID", None)
    if syntax is not None and not syntax.is_compressed:
        stored = len(ds.PixelData)
        if stored > declared + 1:  # one pad byte keeps odd lengths even (PS3.5 section 8.1.1)
            return Rejection(name, reasons.EXCESS_PIXEL_DATA,
                             f"{stored} bytes stored, the header's rows x columns x frames x "
                             f"samples x bits give {declared}")
    problem = _no_decoder(syntax)
    if problem:
        return Rejection(name, reasons.UNSUPPORTED_SYNTAX, problem)
    try:
        return ds.pixel_array
    except (NotImplementedError, RuntimeError) as exc:
        label = syntax.name if syntax is not None else "unknown transfer syntax"
        return Rejection(name, reasons.UNDECODABLE, f"{label}: {str(exc).splitlines()[0]}")
    except Exception as exc:  # noqa: BLE001 - short or malformed pixel data
        return Rejection(name, reasons.TRUNCATED_PIXELS, f"{type(exc).__name__}: {exc}")


def _declared_image_bytes(ds: pydicom.Dataset) -> int:
    """rows x columns x frames x samples x bytes per sample, from the header alone."""
    bits = int(ds.get("BitsAllocated", 16) or 16)
    pixels = (int(ds.get("Rows", 0) or 0) * int(ds.get("Columns", 0) or 0)
              * int(ds.get("NumberOfFrames", 1) or 1) * int(ds.get("SamplesPerPixel", 1) or 1))
    return (pixels * bits + 7) // 8


def _no_decoder(syntax: pydicom.uid.UID | None) -> str:
    """Why no installed plugin can decode ``syntax`` ('' when one can)."""
    if syntax is None or not syntax.is_compressed:
        return ""
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        return f"{syntax.name}: pydicom has no decoder for it"
    if not decoder.is_available:
        missing = "; ".join(decoder.missing_dependencies)
        return f"{syntax.name}: no decoder plugin installed ({missing})"
    return ""


def _float_or_nan(value: object) -> float:
    return np.nan if value is None or value == "" else float(value)


def _geometry(ds: pydicom.Dataset) -> tuple[tuple[float, float, float] | None,
                                            tuple[float, ...] | None]:
    if "ImagePositionPatient" not in ds or "ImageOrientationPatient" not in ds:
        return None, None
    origin = tuple(float(v) for v in ds.ImagePositionPatient)
    orientation = tuple(float(v) for v in ds.ImageOrientationPatient)
    if len(origin) != 3 or len(orientation) != 6:
        return None, None
    return origin, orientation


def _position_along_normal(ds: pydicom.Dataset, origin: tuple[float, ...] | None,
                           orientation: tuple[float, ...] | None) -> float:
    """Slice position projected on the slice normal; SliceLocation when geometry is absent."""
    if origin is not None and orientation is not None:
        return round(float(slice_normal(orientation) @ np.asarray(origin)), POSITION_DECIMALS)
    return round(float(ds.get("SliceLocation", 0.0) or 0.0), POSITION_DECIMALS)
