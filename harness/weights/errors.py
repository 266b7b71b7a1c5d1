"""The errors weight handling raises: each names the file or tag, what is wrong and what to do.

Every one is a :class:`WeightsError`, so a command catches that alone; the subclasses let a
caller tell "not fetched yet" and "could not download" from a file that is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmrbench.weights.report import LoadReport


class WeightsError(ValueError):
    """A weights file cannot be read, is refused, or does not fit the module it is loaded into.

    ``report`` is the key-by-key :class:`LoadReport` when the file was read but does not fit.
    """

    def __init__(self, message: str, report: LoadReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class WeightsNotCachedError(WeightsError):
    """A pretrained tag whose file is not in the cache; nothing is ever downloaded implicitly."""


class DownloadError(WeightsError):
    """A tag's file could not be downloaded (offline, refused, interrupted); nothing was cached."""


class VerificationError(WeightsError):
    """A tag's file is not what its publisher published (hash or layout); it was not cached."""
