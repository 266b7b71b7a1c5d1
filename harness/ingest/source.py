"""What a dataset plugin's ``discover`` yields: studies as raw files, before decoding.

Raw keys (accession numbers, patient IDs, file paths) may be PHI. They live only in these
in-memory objects; ingest replaces them with salted hashes before anything is written, and
files are reported by ``FileRef.display``, a study-relative name that carries no identifier.
What discovery and decoding learn of a study's identifiers (``identifiers``: names, IDs,
dates from headers or side tables) is used to clean its free text and never written.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cmrbench.deid.identifiers import StudyIdentifiers

if TYPE_CHECKING:
    from cmrbench.store.record import ViewVolume


@dataclass(frozen=True)
class FileRef:
    """A file on disk, or a member of a zip archive on disk."""

    path: Path
    member: str | None = None
    display: str = ""

    def declared_size(self, archives: dict[Path, zipfile.ZipFile] | None = None) -> int:
        """Bytes the file holds: its size on disk, or the size a zip member declares.

        Known before anything is inflated, so an oversized member is refused unread.
        """
        if self.member is None:
            return self.path.stat().st_size
        return self._archive(archives).getinfo(self.member).file_size

    def open(self, archives: dict[Path, zipfile.ZipFile] | None = None) -> BinaryIO:
        """A binary stream of the file; a zip member is inflated only as far as it is read."""
        if self.member is None:
            return open(self.path, "rb")
        return self._archive(archives).open(self.member)

    def read_bytes(self, archives: dict[Path, zipfile.ZipFile] | None = None) -> bytes:
        """The file's bytes; pass ``archives`` to reuse open zips across many members."""
        with self.open(archives) as stream:
            return stream.read()

    def _archive(self, archives: dict[Path, zipfile.ZipFile] | None) -> zipfile.ZipFile:
        if archives is None:
            archives = {}  # a throwaway cache: the archive closes when it is collected
        if self.path not in archives:
            archives[self.path] = zipfile.ZipFile(self.path)
        return archives[self.path]

    @property
    def name(self) -> str:
        """A PHI-free name for reports (falls back to the file's base name)."""
        if self.display:
            return self.display
        return Path(self.member).name if self.member else self.path.name


@dataclass(frozen=True)
class SourceStudy:
    """One study found in a raw source: its raw keys, files, labels and report text.

    The raw keys are identifiers of the study already; ``identifiers`` adds any others
    discovery read (a name from a side table).
    """

    key: str
    patient: str
    files: tuple[FileRef, ...]
    labels: dict[str, Any] = field(default_factory=dict)
    report: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    identifiers: StudyIdentifiers = field(default_factory=StudyIdentifiers)


@dataclass(frozen=True)
class Decoded:
    """What decoding one study gives: its views, the files left out, derived labels, the
    identifiers its headers hold (for cleaning its text; never written), and ``kept``: per
    view, which series it was made of and why they were chosen
    (``{"series": [{"number": 7, "description": ...}], "reason": ...}``).
    """

    views: dict[str, ViewVolume]
    rejected: list[Rejection] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)
    identifiers: StudyIdentifiers = field(default_factory=StudyIdentifiers)
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """A file (or a whole study) left out of the store, and why."""

    file: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}" + (f" ({self.detail})" if self.detail else "")
