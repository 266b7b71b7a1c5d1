"""What a dataset plugin's ``discover`` yields: studies as raw files, before decoding.

Raw keys (accession numbers, patient IDs, file paths) may be PHI. They live only in these
in-memory objects; ingest replaces them with salted hashes before anything is written, and
files are reported by ``FileRef.display``, a study-relative name that carries no identifier.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmrbench.store.record import ViewVolume


@dataclass(frozen=True)
class FileRef:
    """A file on disk, or a member of a zip archive on disk."""

    path: Path
    member: str | None = None
    display: str = ""

    def read_bytes(self, archives: dict[Path, zipfile.ZipFile] | None = None) -> bytes:
        """The file's bytes; pass ``archives`` to reuse open zips across many members."""
        if self.member is None:
            return self.path.read_bytes()
        if archives is None:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self.member)
        if self.path not in archives:
            archives[self.path] = zipfile.ZipFile(self.path)
        return archives[self.path].read(self.member)

    @property
    def name(self) -> str:
        """A PHI-free name for reports (falls back to the file's base name)."""
        if self.display:
            return self.display
        return Path(self.member).name if self.member else self.path.name


@dataclass(frozen=True)
class SourceStudy:
    """One study found in a raw source: its raw keys, files, labels and report text."""

    key: str
    patient: str
    files: tuple[FileRef, ...]
    labels: dict[str, Any] = field(default_factory=dict)
    report: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decoded:
    """What decoding one study gives: its views, the files left out, and derived labels."""

    views: dict[str, ViewVolume]
    rejected: list[Rejection] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """A file (or a whole study) left out of the store, and why."""

    file: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}" + (f" ({self.detail})" if self.detail else "")
