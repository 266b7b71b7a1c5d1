"""The one error weight loading raises: it names the file, what is wrong and what to do."""

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
