"""Bounded reading: no input, however hostile, makes ingest hold more than a few limits' worth.

A file's declared size is checked before a byte is inflated, the DICOM preamble is read from
the stream before the rest, and a file is never read past its limit. Files reached through a
symlink that leads out of the source tree are refused. Each refusal is a :class:`Rejection`
with its reason, so the ingest report says exactly what was left out and why.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from cmrbench.ingest import reasons
from cmrbench.ingest.source import FileRef, Rejection

MiB = 2**20
PREAMBLE_BYTES = 132  # 128-byte preamble + "DICM" (DICOM PS3.10 section 7.1)
DICM = b"DICM"


@dataclass(frozen=True)
class ReadLimits:
    """The most one ingest reads: per file, per decoded image, and per decoded study.

    A single-frame cine image is well under 1 MiB; the limits leave room for large matrices
    and multi-frame objects while keeping a worker's memory bounded whatever the input.
    """

    file_bytes: int = 64 * MiB
    image_bytes: int = 64 * MiB
    study_bytes: int = 2048 * MiB


LIMITS = ReadLimits()


class StudyTooLarge(ValueError):
    """A study's decoded pixels exceed ``ReadLimits.study_bytes``; the study is refused."""


def read_dicom_file(ref: FileRef, archives: dict[Path, zipfile.ZipFile],
                    limits: ReadLimits = LIMITS) -> bytes | Rejection:
    """The file's bytes, or why they were not read.

    Refused unread: a declared size over ``limits.file_bytes``; refused after 132 bytes: a file
    without the "DICM" prefix, so a zip member that inflates to gigabytes of zeros costs
    nothing. A file that cannot be read (a damaged zip member, a folder named .dcm) is
    refused as corrupt; the message never names the path, which may carry PHI.
    """
    try:
        return _read_within(ref, archives, limits)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        return Rejection(ref.name, reasons.CORRUPT, f"cannot be read: {_describe(exc)}")


def _describe(exc: Exception) -> str:
    """The error's kind and, where it names no path, its message."""
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc.strerror}" if exc.strerror else type(exc).__name__
    if isinstance(exc, zlib.error):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__  # zipfile's messages quote the member name


def _read_within(ref: FileRef, archives: dict[Path, zipfile.ZipFile],
                 limits: ReadLimits) -> bytes | Rejection:
    size = ref.declared_size(archives)
    if size > limits.file_bytes:
        return Rejection(ref.name, reasons.OVERSIZED_FILE,
                         f"{size} bytes declared, the limit is {limits.file_bytes}")
    with ref.open(archives) as stream:
        head = stream.read(PREAMBLE_BYTES)
        if head[128:PREAMBLE_BYTES] != DICM:
            return Rejection(ref.name, reasons.NOT_DICOM,
                             f"no 'DICM' prefix at byte 128 (read {len(head)} bytes)")
        rest = stream.read(limits.file_bytes - len(head) + 1)
    if len(head) + len(rest) > limits.file_bytes:
        return Rejection(ref.name, reasons.OVERSIZED_FILE,
                         f"more than {limits.file_bytes} bytes, though {size} were declared")
    return head + rest


def outside_source(ref: FileRef, source: Path) -> Rejection | None:
    """A rejection when ``ref`` resolves (through symlinks) to a path outside ``source``."""
    resolved = ref.path.resolve()
    if resolved.is_relative_to(source.resolve()):
        return None
    return Rejection(ref.name, reasons.OUTSIDE_SOURCE,
                     "the path resolves outside the folder being ingested")
