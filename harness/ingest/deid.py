"""Only cleaned text leaves an ingest worker: descriptions, reports, messages, text labels.

The worker that decodes a study knows its raw keys (from discovery) and its headers (from
decoding): :class:`StudyText` binds the study's identifiers to the ingest's
:class:`Cleaner` and cleans every free-text value before it is stored, reported or logged.
Series descriptions are kept, cleaned (an audit can still tell ``cine_trueFISP_4CH [NAME]``
from a hash), the same way in the store, the ingest report and the console.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cmrbench.deid import StudyIdentifiers, TextCleaner, clean_text, from_keys
from cmrbench.ingest.source import Decoded, Rejection, SourceStudy
from cmrbench.registry import Entry, PluginFailure, credit
from cmrbench.store.record import ViewVolume


def builtin_factory() -> TextCleaner:
    """The built-in cleaner (:func:`cmrbench.deid.clean_text`)."""
    return clean_text


@dataclass(frozen=True)
class Cleaner:
    """The text cleaner an ingest applies, and who provides it (named when it fails).

    ``factory()`` builds the cleaner once per process; it travels to worker processes, so it
    is a module-level function.
    """

    factory: Callable[[], TextCleaner] = builtin_factory
    name: str = "builtin"
    provider: str = "built into cmrbench"

    @classmethod
    def from_entry(cls, entry: Entry) -> Cleaner:
        """The cleaner a registry entry (``cmrbench ingest --cleaner NAME``) provides."""
        return cls(entry.spec.factory, entry.name, credit(entry.provider))

    def build(self) -> TextCleaner:
        """The cleaner, built on first use in this process."""
        if self not in _BUILT:
            try:
                cleaner = self.factory()
            except Exception as exc:  # noqa: BLE001 - whatever the plugin raises is its failure
                raise CleanerFailure(f"{self.label} failed to build: factory() raised "
                                     f"{type(exc).__name__}: {exc}") from None
            if not callable(cleaner):
                raise CleanerFailure(f"{self.label}: factory() returned a "
                                     f"{type(cleaner).__name__}, not a callable "
                                     "clean(text, identifiers, field) -> str")
            _BUILT[self] = cleaner
        return _BUILT[self]

    @property
    def label(self) -> str:
        return f"text cleaner {self.name!r} ({self.provider})"


_BUILT: dict[Cleaner, TextCleaner] = {}


class CleanerFailure(PluginFailure):
    """A text cleaner raised or returned something other than text; the ingest stops, since
    no study may be written with text that was not cleaned."""


@dataclass(frozen=True)
class StudyText:
    """One study's identifiers bound to the ingest's cleaner."""

    cleaner: Cleaner
    identifiers: StudyIdentifiers

    @classmethod
    def of(cls, study: SourceStudy, cleaner: Cleaner) -> StudyText:
        """What discovery knows: the raw keys and any identifiers it read."""
        return cls(cleaner, from_keys(study.key, study.patient) | study.identifiers)

    def knowing(self, more: StudyIdentifiers) -> StudyText:
        """The same with what decoding read from the headers as well."""
        return dataclasses.replace(self, identifiers=self.identifiers | more)

    def __call__(self, text: str, field: str) -> str:
        clean = self.cleaner.build()
        try:
            cleaned = clean(text, self.identifiers, field)
        except Exception as exc:  # noqa: BLE001 - whatever the plugin raises is its failure
            raise CleanerFailure(self._failed(field, f"raised {type(exc).__name__}")) from None
        if not isinstance(cleaned, str):
            raise CleanerFailure(self._failed(
                field, f"returned a {type(cleaned).__name__} instead of a str"))
        return cleaned

    def _failed(self, field: str, problem: str) -> str:
        return (f"{self.cleaner.label} {problem} on a {field}; the ingest stops so "
                "that no uncleaned text is written (its message is not shown: it may quote the "
                "text). This is a bug in that plugin: report it to its authors, or ingest with "
                "`--cleaner builtin`")

    def rejection(self, rejection: Rejection) -> Rejection:
        return Rejection(self(rejection.file, "message"), rejection.reason,
                         self(rejection.detail, "message") if rejection.detail else "")

    def view(self, view: ViewVolume) -> ViewVolume:
        if not view.series_description:
            return view
        return dataclasses.replace(
            view, series_description=self(view.series_description, "series_description"))

    def values(self, mapping: Mapping[str, Any], field: str) -> dict[str, Any]:
        """``mapping`` with every string value cleaned (labels, meta)."""
        return {k: self(v, field) if isinstance(v, str) else v for k, v in mapping.items()}

    def report(self, report: str | None) -> str | None:
        return None if report is None else self(report, "report")

    def kept(self, kept: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Which series each view was made of, their descriptions cleaned."""
        return {view: {**choice, "series": [
            {**series, "description": self(series["description"], "series_description")}
            if isinstance(series.get("description"), str) else dict(series)
            for series in choice.get("series", [])]} for view, choice in kept.items()}

    def decoded(self, decoded: Decoded) -> Decoded:
        """Views, rejections and the kept-series record cleaned; the headers' identifiers
        are not passed on."""
        return Decoded({name: self.view(v) for name, v in decoded.views.items()},
                       [self.rejection(r) for r in decoded.rejected],
                       self.values(decoded.labels, "label"), kept=self.kept(decoded.kept))
